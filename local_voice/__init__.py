"""The offline kiosk adapter: Vosk hears, pyttsx3 speaks, `intents` decides."""
