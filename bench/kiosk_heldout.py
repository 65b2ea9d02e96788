"""Held-out evaluation set of spoken shopper commands for the offline kiosk.

How it was written: by hand, from the intent list, the slot conventions and the demo catalog
(``../shared/catalog/demo_catalog.json``) alone. The author did NOT open the interaction model
(``models/en-US.json``), the prompts (``intents/prompts/``), the kiosk grammar (``local_voice/grammar.py``),
the text matcher (``intents/matching.py``) or the tuned in-model corpus (``bench/kiosk_corpus.py``).

Why: the kiosk's grammar and matcher were tuned against the in-model corpus, so scoring them on that corpus
says little about how they cope with what real shoppers say. This set is the held-out check: varied, natural
phrasings (polite and terse, with fillers like "um" and "okay so"), products named the way people name them,
quantities as words, codes and customer numbers spoken digit by digit, plus speech that is not meant for the shop
at all (chatter, remarks to a companion, TV or radio sentences, some with grocery words) which should map to None.
Do not tune the system on these sentences; add new phrasings to the in-model corpus instead.

Each entry is (what the shopper says, the intent it means or None, expected resolved slot ids). Utterances are
lowercase, without digits or punctuation except apostrophes. Slot expectations are only given where they are
unambiguous: products as catalog skus, quantities and codes as digit strings, ordinals as "1", "2", "3" or "-1".
"""

HELDOUT: tuple[tuple[str, str | None, dict[str, str]], ...] = (
    # SearchIntent
    ("do you have any oat milk", "SearchIntent", {"product": "SKU-DAI-0035"}),
    ("where can i find the paper towels", "SearchIntent", {"product": "SKU-HOU-0148"}),
    ("um what kind of snacks do you have", "SearchIntent", {"category": "snacks"}),
    ("look for sriracha", "SearchIntent", {"product": "SKU-PAN-0102"}),
    ("i'm looking for dog food", "SearchIntent", {"product": "SKU-PET-0204"}),
    ("got any double a batteries", "SearchIntent", {"product": "SKU-HOU-0168"}),
    ("show me the baby stuff please", "SearchIntent", {"category": "baby"}),
    ("do you carry kerrygold butter", "SearchIntent", {"product": "SKU-DAI-0038"}),
    ("okay so what frozen food have you got", "SearchIntent", {"category": "frozen"}),
    # ProductDetailsIntent
    ("how much are the strawberries", "ProductDetailsIntent", {"product": "SKU-PRO-0009"}),
    ("what does the ribeye steak cost", "ProductDetailsIntent", {"product": "SKU-MEA-0062"}),
    ("is the greek yogurt in stock", "ProductDetailsIntent", {"product": "SKU-DAI-0044"}),
    ("how big is the bag of tortilla chips", "ProductDetailsIntent", {"product": "SKU-SNA-0109"}),
    ("are the hass avocados in stock right now", "ProductDetailsIntent", {"product": "SKU-PRO-0013"}),
    ("what size is the liquid laundry detergent", "ProductDetailsIntent", {"product": "SKU-HOU-0154"}),
    ("how much is the second one", "ProductDetailsIntent", {"ordinal": "2"}),
    ("tell me more about the first one", "ProductDetailsIntent", {"ordinal": "1"}),
    ("um what's the price on the last one", "ProductDetailsIntent", {"ordinal": "-1"}),
    ("how much does the third one cost", "ProductDetailsIntent", {"ordinal": "3"}),
    # AddToCartIntent
    ("could i get three cans of black beans", "AddToCartIntent", {"product": "SKU-PAN-0092", "quantity": "3"}),
    ("i need a dozen limes", "AddToCartIntent", {"product": "SKU-PRO-0008", "quantity": "12"}),
    ("put two bottles of ketchup in my cart", "AddToCartIntent", {"product": "SKU-PAN-0098", "quantity": "2"}),
    ("add the honeycrisp apples", "AddToCartIntent", {"product": "SKU-PRO-0005"}),
    ("okay so throw in a couple of avocados", "AddToCartIntent", {"product": "SKU-PRO-0013", "quantity": "2"}),
    ("um i'll take four lemons please", "AddToCartIntent", {"product": "SKU-PRO-0007", "quantity": "4"}),
    ("add one box of frosted flakes", "AddToCartIntent", {"product": "SKU-PAN-0086", "quantity": "1"}),
    ("can you add the dove body wash to my basket", "AddToCartIntent", {"product": "SKU-PER-0179"}),
    ("give me five bags of chicken nuggets", "AddToCartIntent", {"product": "SKU-FRO-0145", "quantity": "5"}),
    ("add six gatorades", "AddToCartIntent", {"product": "SKU-BEV-0135", "quantity": "6"}),
    # RemoveFromCartIntent
    ("take the bananas out", "RemoveFromCartIntent", {"product": "SKU-PRO-0001"}),
    ("remove the frozen waffles", "RemoveFromCartIntent", {"product": "SKU-FRO-0143"}),
    ("actually i don't want the ritz crackers anymore", "RemoveFromCartIntent", {"product": "SKU-SNA-0112"}),
    ("get rid of the paper towels please", "RemoveFromCartIntent", {"product": "SKU-HOU-0148"}),
    ("delete the diet coke from my cart", "RemoveFromCartIntent", {"product": "SKU-BEV-0125"}),
    # SetQuantityIntent
    ("change the limes to six", "SetQuantityIntent", {"product": "SKU-PRO-0008", "quantity": "6"}),
    ("make it three orange juices instead", "SetQuantityIntent", {"product": "SKU-BEV-0127", "quantity": "3"}),
    ("can you update the pretzels to four bags", "SetQuantityIntent", {"product": "SKU-SNA-0117", "quantity": "4"}),
    ("set the bottled water to ten", "SetQuantityIntent", {"product": "SKU-BEV-0122", "quantity": "10"}),
    # ReviewCartIntent
    ("what's in my cart", "ReviewCartIntent", {}),
    ("what's my total", "ReviewCartIntent", {}),
    ("can you read back what i've got so far", "ReviewCartIntent", {}),
    ("how much is everything so far", "ReviewCartIntent", {}),
    ("um what did i put in my basket", "ReviewCartIntent", {}),
    # ClearCartIntent
    ("empty my cart", "ClearCartIntent", {}),
    ("clear everything out of my basket", "ClearCartIntent", {}),
    ("get rid of everything in my cart", "ClearCartIntent", {}),
    ("remove all the items please", "ClearCartIntent", {}),
    # CheckOutIntent
    ("i'm all done let's pay", "CheckOutIntent", {}),
    ("check out please", "CheckOutIntent", {}),
    ("okay i'm ready to place my order", "CheckOutIntent", {}),
    ("that's everything go ahead and buy it", "CheckOutIntent", {}),
    ("i'd like to pay now", "CheckOutIntent", {}),
    # OrderStatusIntent
    ("did my order ship yet", "OrderStatusIntent", {}),
    ("where's my order", "OrderStatusIntent", {}),
    ("what's the status of my last order", "OrderStatusIntent", {}),
    ("is my order ready yet", "OrderStatusIntent", {}),
    # ListOrdersIntent
    ("show me my past orders", "ListOrdersIntent", {}),
    ("what have i ordered before", "ListOrdersIntent", {}),
    ("list my orders please", "ListOrdersIntent", {}),
    # CancelOrderIntent
    ("cancel my order", "CancelOrderIntent", {}),
    ("i want to cancel the order i just placed", "CancelOrderIntent", {}),
    ("i changed my mind please cancel that order", "CancelOrderIntent", {}),
    # ReorderIntent
    ("order the same thing as last time", "ReorderIntent", {}),
    ("reorder my last order", "ReorderIntent", {}),
    ("can i get what i got last week again", "ReorderIntent", {}),
    # SetPurchaseCodeIntent
    ("set my purchase code to four one seven two", "SetPurchaseCodeIntent", {"code": "4172"}),
    ("i want my code to be nine nine zero three", "SetPurchaseCodeIntent", {"code": "9903"}),
    ("change my purchase code to two eight oh five", "SetPurchaseCodeIntent", {"code": "2805"}),
    # ProvideCodeIntent (slot name for the spoken code not specified in the brief, so intent only)
    ("my code is six one three eight", "ProvideCodeIntent", {}),
    ("the code is three three eight one", "ProvideCodeIntent", {}),
    ("okay it's nine zero five six", "ProvideCodeIntent", {}),
    # RecommendIntent
    ("what do you recommend", "RecommendIntent", {}),
    ("any suggestions for snacks", "RecommendIntent", {"category": "snacks"}),
    ("what's good in the bakery today", "RecommendIntent", {"category": "bakery"}),
    ("can you suggest something for breakfast", "RecommendIntent", {}),
    # StorePolicyIntent
    ("what's your return policy", "StorePolicyIntent", {}),
    ("can i get a refund if something's damaged", "StorePolicyIntent", {}),
    ("do you charge a delivery fee", "StorePolicyIntent", {}),
    ("what kind of payment do you take", "StorePolicyIntent", {}),
    # CustomerNumberIntent
    ("what's my customer number", "CustomerNumberIntent", {}),
    ("i forgot my customer number can you tell me", "CustomerNumberIntent", {}),
    ("remind me what my customer number is", "CustomerNumberIntent", {}),
    # IdentifyCustomerIntent
    ("my customer number is four oh eight two one nine", "IdentifyCustomerIntent", {"customer_number": "408219"}),
    ("this is customer seven seven three zero five one", "IdentifyCustomerIntent", {"customer_number": "773051"}),
    ("it's customer number two six nine four one eight", "IdentifyCustomerIntent", {"customer_number": "269418"}),
    # SpeakSlowerIntent
    ("slow down please", "SpeakSlowerIntent", {}),
    ("can you talk a bit slower", "SpeakSlowerIntent", {}),
    ("whoa you're going too fast", "SpeakSlowerIntent", {}),
    # SpeakFasterIntent
    ("speed up a little", "SpeakFasterIntent", {}),
    ("can you talk faster please", "SpeakFasterIntent", {}),
    # SpeakLouderIntent
    ("i can't hear you speak up", "SpeakLouderIntent", {}),
    ("louder please", "SpeakLouderIntent", {}),
    ("could you turn the volume up", "SpeakLouderIntent", {}),
    # SpeakSofterIntent
    ("that's way too loud", "SpeakSofterIntent", {}),
    ("could you speak more quietly", "SpeakSofterIntent", {}),
    # AMAZON.YesIntent
    ("yes please", "AMAZON.YesIntent", {}),
    ("yeah that's right", "AMAZON.YesIntent", {}),
    ("sure go ahead", "AMAZON.YesIntent", {}),
    # AMAZON.NoIntent
    ("no thanks", "AMAZON.NoIntent", {}),
    ("nope", "AMAZON.NoIntent", {}),
    ("no that's not it", "AMAZON.NoIntent", {}),
    # AMAZON.HelpIntent
    ("help", "AMAZON.HelpIntent", {}),
    ("how does this thing work", "AMAZON.HelpIntent", {}),
    ("um what can i say", "AMAZON.HelpIntent", {}),
    # AMAZON.StopIntent
    ("stop", "AMAZON.StopIntent", {}),
    ("okay stop talking", "AMAZON.StopIntent", {}),
    ("that's enough stop", "AMAZON.StopIntent", {}),
    # AMAZON.CancelIntent
    ("never mind", "AMAZON.CancelIntent", {}),
    ("cancel that", "AMAZON.CancelIntent", {}),
    ("forget it", "AMAZON.CancelIntent", {}),
    # AMAZON.RepeatIntent
    ("what did you say", "AMAZON.RepeatIntent", {}),
    ("say that again", "AMAZON.RepeatIntent", {}),
    ("sorry can you repeat that", "AMAZON.RepeatIntent", {}),
    # AMAZON.NextIntent
    ("next", "AMAZON.NextIntent", {}),
    ("show me the next ones", "AMAZON.NextIntent", {}),
    ("next page please", "AMAZON.NextIntent", {}),
    # AMAZON.PreviousIntent
    ("go back", "AMAZON.PreviousIntent", {}),
    ("show me the previous ones", "AMAZON.PreviousIntent", {}),
    # AMAZON.StartOverIntent
    ("start over", "AMAZON.StartOverIntent", {}),
    ("let's begin again from the top", "AMAZON.StartOverIntent", {}),
    # AMAZON.NavigateHomeIntent
    ("go to the home screen", "AMAZON.NavigateHomeIntent", {}),
    ("take me back to the main menu", "AMAZON.NavigateHomeIntent", {}),
    # Not meant for the shop: chatter, remarks to a companion, TV and radio
    ("my mom makes the best banana bread", None, {}),
    ("did you remember to feed the dog this morning", None, {}),
    ("honey can you go grab the kids", None, {}),
    ("i think it's going to rain later", None, {}),
    ("we had pizza three nights in a row last week", None, {}),
    ("the traffic on the way here was awful", None, {}),
    ("and now a word from our sponsors", None, {}),
    ("stay tuned for the weather after the break", None, {}),
    ("are you going to sarah's party on saturday", None, {}),
    ("i can't believe how expensive eggs have gotten", None, {}),
    ("this song always gets stuck in my head", None, {}),
    ("did you lock the car", None, {}),
    ("look at that cute baby over there", None, {}),
    ("i told him the milk was off but he drank it", None, {}),
    ("what time does the game start tonight", None, {}),
    ("hold on my phone is ringing", None, {}),
    ("hi mom yeah i'm at the store right now", None, {}),
    ("we should have them over for dinner sometime", None, {}),
    ("ugh my coffee's gone cold again", None, {}),
    ("the new cashier is really nice", None, {}),
    ("grandma used to grow tomatoes in her backyard", None, {}),
    ("breaking news from the capitol this hour", None, {}),
    ("scientists say dark chocolate might be good for your heart", None, {}),
    ("wait where did i park", None, {}),
    ("tell your brother to hurry up", None, {}),
    ("he's allergic to peanuts so be careful", None, {}),
    ("i'm so tired i could sleep for a week", None, {}),
)
"""(what the shopper says, the intent it means or None for speech not meant for the shop, expected resolved slot ids)"""
