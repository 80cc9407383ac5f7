"""Class projects on Telegram: a group's class that pupils join from their private chats.

`codes` makes the join code, its link and QR code; `projects` creates, joins, leaves and
ends classes; `tally` keeps the group's live message of what the class has drawn. The
class's dataset is the group's own plus what its pupils drew for it (storage.classes), so
/train, /status, /stats and the data-health lines of the group cover it unchanged, and a
pupil's predictions come from the group's model (bot.samples.predictor).
"""
