"""What a chat takes away and brings: its dataset as a zip, and its trained model as files.

`dataset_zip` writes /export's zip (a folder per label and a manifest) and checks an
uploaded one for /import; `model_package` reads the serving model's files for /export model
and writes the few lines of Python that use them. Neither talks to Telegram.
"""

__all__ = ["dataset_zip", "model_package"]
