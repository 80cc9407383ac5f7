"""The model side of Smiley Bot, split by where it runs. Nothing here imports Telegram.

- `model.job`: the contract between the bot and a training worker (job, events, result,
  parameters, model files). Both sides import it; it imports no TensorFlow.
- `model.serving`: what the bot process loads: decoding uploads, the one `preprocess` shared
  by training and prediction, predictions with LiteRT, contact sheets. No TensorFlow.
- `model.worksheets`: printable worksheets of boxes to draw in, and the reading of a photo
  of a filled one into one cut per box. No TensorFlow.
- `model.learning` and `model.worker`: what only a training worker loads: the networks,
  training with validation, export and the charts, with TensorFlow and matplotlib.
- `model.synthetic`: tooling, not a part of the bot: synthetic smileys for the tests, the
  scripts and the bundled default model (`model/default/`).
"""

__all__ = ["job", "learning", "serving", "synthetic", "worker", "worksheets"]
