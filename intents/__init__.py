"""What each utterance means to the shop, whichever channel heard it; no I/O and no ask-sdk here."""
