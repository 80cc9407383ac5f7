"""An image from a message to a stored sample, and the bot's answer to it.

`accepted_media` finds the image in a message (or says why it is refused), `intake`
downloads and stores it within the limits, `preprocessor` runs the one preprocessing of
`model.serving` in a helper process, `repreparer` makes stored inputs again when that
preprocessing changed, `predictor` answers with the chat's model or the bundled one,
`answers` writes the prediction with its buttons, `labeller` finds the sample a /label
means, and `acknowledgements` confirms a stored image with a reaction or, through
`notices`, a short notice that bursts merge.
"""

__all__ = [
    "accepted_media",
    "acknowledgements",
    "answers",
    "intake",
    "labeller",
    "notices",
    "predictor",
    "preprocessor",
    "repreparer",
]
