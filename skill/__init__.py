"""The Alexa adapter: ask-sdk-core handlers, the Lambda entry point and the verified web service."""
