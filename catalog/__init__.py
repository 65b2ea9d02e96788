"""The shop's domain: products, carts, checkout and orders, stored in DynamoDB.

Nothing here knows about Alexa, Flask, Vosk or speakers; every channel calls `catalog.services`.
"""
