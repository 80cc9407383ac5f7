"""English, the fallback for every key another language lacks."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    "accepts": "photos, image files (PNG, JPEG, WebP, HEIC) and static stickers",
    # commands shown in Telegram's menu
    "cmd.start": "Start here",
    "cmd.help": "How to teach me",
    "cmd.label": "Label your last image: /label smile",
    "cmd.labels": "Samples per label",
    "cmd.status": "Dataset and model status",
    "cmd.undo": "Delete your last labelled sample",
    "cmd.delete": "Delete a label and its samples",
    "cmd.rename": "Rename a label, keeping its samples",
    "cmd.reset": "Delete all samples and models of this chat",
    "cmd.train": "Train this chat's model",
    "cmd.stop": "Stop the running training",
    "cmd.set": "Change a training parameter",
    "cmd.params": "Show the training parameters",
    "cmd.debug": "Reply to an image: what the model sees",
    "cmd.why": "Reply to a drawing: which strokes decided my answer",
    "cmd.filters": "What my network learned: its filters, and a drawing through its layers",
    "cmd.worksheet": "A sheet to print: twelve boxes to draw in, read from one photo",
    "cmd.classroom": "Start a class: pupils join with a link and teach one model",
    "cmd.leave": "Leave your class",
    "cmd.export": "Images as a zip; /export model: the trained model",
    "cmd.import": "Caption a zip with /import to add its images",
    # /start and /help
    "start.private": (
        "Hi {name}! I learn to recognise smileys from your drawings.\n\n"
        "1. Draw a smiley (on paper or on your phone) and send me a photo of it.\n"
        "2. Tell me what it is: /label smile\n"
        "3. Collect at least 2 kinds with {minimum} drawings each (more is better), then send /train.\n"
        "4. Send a new drawing without a label: I'll tell you what I think it is.\n\n"
        "/help shows everything I can do."
    ),
    "start.group": (
        "Hi everyone! This group has its own smiley dataset: send drawings of smileys "
        "and label them with /label <name>. /help explains more."
    ),
    "start.group_privacy": (
        "Note: Telegram's privacy mode is on for me, so I only see images whose "
        "caption starts with /label, and /label sent as a reply to an image. To let "
        "me see every image, the bot's owner can turn it off in @BotFather: "
        "/mybots → the bot → Bot Settings → Group Privacy → Turn off. Then remove "
        "me from the group and add me again."
    ),
    "help": (
        "How I learn, in four steps:\n"
        "1. Draw smileys and send me photos of them (on paper or on a screen).\n"
        "2. Tell me what each one is: send it with the caption /label smile, or tap the right "
        "label under my guess.\n"
        "3. Collect at least 2 kinds with {minimum} drawings each, then send /train.\n"
        "4. Send a new drawing: I tell you what I think it is. 🔍 Why? shows which strokes "
        "decided it.\n\n"
        "/status shows what is still missing. /help more shows everything else I can do."
    ),
    "help.more": (
        "I learn to recognise smileys from the drawings this chat labels.\n\n"
        "Ways to label an image:\n"
        "• send it with the caption /label smile\n"
        "• reply to an image with /label smile (also fixes a wrong label)\n"
        "• send /label smile right after your image (within {window} minutes)\n"
        "• tap the right label under my prediction (✅ if I got it right)\n"
        "An album captioned /label smile labels every image in it.\n\n"
        "Label names: 1–32 letters, digits, - or _. Try: {suggested}. "
        "Up to {max_labels} labels per chat.\n\n"
        "/labels – samples per label\n"
        "/status – what is still missing, and the model\n"
        "/train – train this chat's model (/stop cancels it)\n"
        "/set, /params – settings: the training's (epochs, learning_rate, batch_size, architecture, validation, start) and builtin off, to start from a model that knows nothing\n"
        "/debug – reply to an image: the 28×28 picture the model sees\n"
        "/why – reply to a drawing or to my answer: the strokes that decided it\n"
        "/filters – what my network learned: its filters, and a drawing through its layers\n"
        "/worksheet – a sheet to print: draw twelve smileys, send one photo\n"
        "/classroom – in a group: a class whose pupils join by link and teach one model (/leave leaves it)\n"
        "/samples <label> – a sheet of that label's 28×28 pictures\n"
        "/compare – dense and cnn learning from nothing, and a cnn that starts from my built-in model, on the same data\n"
        "/stats – samples per person and per label\n"
        "/draw – a canvas to draw on, right in Telegram (private chats)\n"
        "/undo – delete your last labelled sample\n"
        "/delete <label> – delete a label and its samples\n"
        "/rename <old> <new> – rename a label; its samples and the trained model keep it\n"
        "/reset – delete all of this chat's samples and models\n"
        "/export – this chat's images as a zip, one folder per label\n"
        "/export model – the trained model as .keras and .tflite, with example code\n"
        "/import – send such a zip with the caption /import to add its images\n"
        "Only for admins in groups: {admin_commands}.\n\n"
        "I accept {accepts}.\n"
        "Stored: each image as a small grayscale copy and a 28×28 version, with its "
        "label and sender id, only to train this chat's model. Each chat's data is "
        "its own."
    ),
    # The built-in model's labels as a reader sees them (bot/labels/built_in.py); stored in English
    "builtin_label.smile": "smile",
    "builtin_label.sad": "sad",
    "builtin_label.neutral": "neutral",
    "builtin_label.upside-down": "upside-down",
    # labelling
    "label.usage": "Tell me the label: /label smile (or reply to an image with it).",
    "label.invalid": ("“{raw}” is not a valid label: use 1–32 letters, digits, - or _, no spaces."),
    "label.invalid_hint": "“{raw}” is not a valid label (no spaces). Try /label {hint}",
    "label.kept_unlabelled": "The image is saved without a label: reply to it with /label <name>.",
    "label.nothing": (
        "There is no unlabelled image of yours from the last {window} minutes. "
        "Send one first, or reply to an image with /label {label}."
    ),
    "label.not_an_image": "Reply to an image (a photo, an image file or a sticker) to label it.",
    "label.done": "Labelled as {label}. {label} has {count} now.",
    "label.done_many": "Labelled {n} images as {label}. {label} has {count} now.",
    "label.relabelled": "Relabelled from {old} to {label}. {label} has {count} now.",
    "label.unchanged": "That image is already labelled {label}.",
    # intake acknowledgements and refusals
    "ack.labelled": "Saved as {label}.",
    "ack.unlabelled": "Saved. Label it with /label <name> (send it next, or as a reply).",
    "ack.duplicate": "I already have this image (label: {label}).",
    "ack.duplicate_unlabelled": "I already have this image, without a label.",
    "intake.unsupported": "I can't use {what}. I accept {accepts}.",
    "media.video": "a video",
    "media.gif": "a GIF",
    "media.animated_sticker": "an animated sticker",
    "media.pdf": "a PDF",
    "media.voice": "a voice message",
    "media.video_note": "a video message",
    "media.audio": "an audio file",
    "media.file": "this kind of file",
    "media.file_ext": "a .{ext} file",
    "intake.too_large": "That file is too big: the limit is {mb} MB.",
    "intake.download_failed": "I couldn't download that image from Telegram. Please send it again.",
    "intake.throttled": (
        "Slow down a little: at most {limit} images a minute. Try again in {seconds} s."
    ),
    "intake.chat_full": (
        "This chat has reached its limit of {limit} images. Free space with /delete, /undo "
        "or /reset."
    ),
    "intake.too_many_labels": (
        "This chat already has {limit} labels, the maximum. Use one of them, or "
        "remove one with /delete <label>."
    ),
    "reject.empty": "That file is empty.",
    "reject.not_an_image": "That file is not an image I can read. I accept {accepts}.",
    "reject.unsupported_format": "I can't use {detail} images. I accept {accepts}.",
    "reject.animated": "That image is animated. Send a still image, please.",
    "reject.too_many_pixels": "That image is too large ({detail} pixels). Please send a smaller one.",
    "reject.too_small": "That image is too small ({detail}) to see a smiley in.",
    "reject.extreme_aspect": "That image is too narrow ({detail}) to hold a smiley.",
    "reject.corrupt": "That image is damaged or incomplete. Please send it again.",
    "reject.blank": "I can't find a drawing in that image. Is it blank?",
    "reject.faint": (
        "I can only see very faint lines in that image. Draw with a darker pen or thicker "
        "lines, or take the photo in brighter light, then send it again."
    ),
    "reject.paper_only": (
        "I can see a sheet of paper, but nothing drawn on it. Draw your smiley with a dark "
        "pen, then take the photo again."
    ),
    "notices.more": "… and {n} more.",
    # /labels and /status
    "labels.empty": "No labelled samples yet. Send a smiley with the caption /label smile.",
    "labels.header": "Samples per label:",
    "labels.line": "• {label}: {count}",
    "labels.unlabelled": "Unlabelled images: {count}",
    "status.header": "This chat's dataset: {total} images, {labelled} labelled, {unlabelled} unlabelled.",
    "status.labels": "Labels: {n} of at most {max_labels}.",
    "status.needs": "• {label}: {count} (needs {missing} more)",
    "status.ready": "• {label}: {count} ✓",
    "status.no_labels": "No labels yet. Each label needs at least {min} samples to train.",
    "status.min_labels": "Training needs at least 2 labels.",
    "status.model_none": "Model: none trained yet; the built-in smiley model answers. /train makes your own.",
    "status.model": "Model: trained on {samples} samples, validation accuracy {accuracy}.",
    "status.model_outdated": "The samples changed since: /train to update the model.",
    "status.training": "A training is running or queued: /stop cancels it.",
    # training
    "train.not_enough": "Not enough samples to train yet. Each label needs at least {minimum}:",
    "train.missing": "• {label}: {missing} more",
    "train.too_few_labels": "Training needs at least 2 labels with {minimum} samples each.",
    "train.already": "A training is already running or queued here. /stop cancels it.",
    "train.queued": "Training queued: {ahead} ahead of yours. I'll start as soon as I can.",
    "train.starting": "Training starts…",
    "train.progress_header": "Training on {samples} samples: {labels}",
    "train.stage_validation": "validation run {fold}/{folds}",
    "train.stage_final": "final model",
    "train.progress_stage": "{stage}, epoch {epoch}/{epochs}",
    "train.progress_metrics": "training accuracy {accuracy} (loss {loss})",
    "train.progress_validation": "validation accuracy {accuracy}",
    "train.finished": "Training finished in {seconds} s.",
    "train.validation": "Validation accuracy: {accuracy} ({method}, {samples} samples).",
    "train.method_kfold": "{folds}-fold cross-validation",
    "train.method_holdout": "held-out samples",
    "train.per_label": "• {label}: {accuracy} of {count}",
    # One sentence on how it fitted, by model.job's verdicts (model.learning.curves decides).
    "train.fit_overfitting": "From epoch {epoch} on it memorised the drawings instead of learning (that is called overfitting): fewer epochs or more drawings would help.",
    "train.fit_unfinished": "It had not finished learning (that is called underfitting): more epochs would help.",
    "train.fit_good_fit": "It was best around epoch {epoch} and did not start memorising the drawings: a good fit.",
    "train.start_pretrained": "It started from what my built-in model knows about smileys.",
    "train.start_pretrained_tuned": (
        "It started from what my built-in model knows about smileys, then tuned its own "
        "filters to your drawings: they changed by {change}. /filters shows them."
    ),
    "train.start_scratch": "It started from scratch and learned all its filters by itself: /filters shows them.",
    "train.serving": "The new model answers from now on.",
    "train.failed": "Training failed: {reason}",
    "train.stopped": "Training stopped: {reason}",
    "train.interrupted": "Training interrupted: {reason}",
    "train.previous_serves": "The previous model keeps answering.",
    "train.reason_stop": "you sent /stop.",
    "train.reason_restart": "the bot restarted. Send /train to start again.",
    "train.reason_bug": "an error on my side. Please try again.",
    "train.reason_no_space": "my disk is full. Please try again later.",
    "train.reason_crash": "the training process ended unexpectedly (code {code}).",
    "stop.done": "Stopping the training…",
    "stop.nothing": "No training is running here.",
    # parameters
    "set.usage": "Usage: /set <name> <value>, e.g. /set epochs 40. /params shows them all.",
    "set.invalid": "Invalid value for {name}: use {rule}.",
    "set.unknown": "There is no parameter “{name}”: use {rule}.",
    "set.done": "{name} is now {value}. It applies to the next /train.",
    "params.header": "Settings (change with /set <name> <value>):",
    "params.line": "• {name} = {value} ({rule})",
    # What each parameter does, in a line under it
    "params.about.epochs": (
        "how many times the network looks at every drawing. Too few: it has not finished"
        " learning. Too many: it learns the drawings by heart."
    ),
    "params.about.learning_rate": (
        "how big a step it takes after each batch. Too big: it jumps around. Too small: it"
        " learns slowly."
    ),
    "params.about.batch_size": "how many drawings it looks at before each step.",
    "params.about.architecture": (
        "cnn finds strokes and shapes with filters it learns itself; dense looks at every"
        " pixel on its own."
    ),
    "params.about.validation": (
        "the share of drawings kept back to test the model once every label has 20 or more"
        " (with fewer, every drawing takes a turn)."
    ),
    "params.about.start": (
        "pretrained starts from what my built-in model learned from thousands of smileys;"
        " scratch starts from nothing, as in the talk."
    ),
    "params.rule_whole": "a whole number from {low} to {high}",
    "params.rule_number": "a number from {low} to {high}",
    "params.or": "or",
    "params.rule_names": "one of {names}",
    # predictions
    "predict.sure": "I think this is {label}.",
    "predict.not_sure": "Not sure. My best guesses:",
    "predict.no_model_yet": "I know nothing yet: this chat has switched my built-in model off. Tell me what it is (tap a label, or /label smile), and after /train I start guessing.",
    "predict.default_model": "(the built-in smiley model: label your own and /train to teach me)",
    "predict.outdated": "(my model is older than this chat's samples: /train to update it)",
    "predict.teach": "Tap the right label below, or reply /label <name>.",
    "debug.usage": "Reply /debug to an image I stored to see what the model sees.",
    "debug.caption": "What the model sees: {size}×{size} pixels, bright ink on black.",
    # "Why?" under a prediction, and /why
    "why.button": "🔍 Why?",
    "why.caption": (
        "🔍 My answer: {label} ({percent}). The red strokes decided it most: when I cover"
        " them up, I am much less sure."
    ),
    "why.usage": "Reply /why to a drawing, or to my answer to it, to see what decided it.",
    "why.no_model_yet": "There is no model yet that could say why: /train teaches one.",
    "filters.no_model_yet": "Your model has learned nothing yet, so it has no filters to show. After /train you see them.",
    "params.about.builtin": "off: my built-in model does not answer until you have trained your own, so you start from a model that knows nothing.",
    "why.gone": "That drawing has been deleted.",
    "filters.title": "Layer 1: {count} filters of {rows} × {columns} pixels",
    "filters.legend": "red: looks for ink · blue: looks for empty paper · white: does not care",
    "filters.own": "this chat's model",
    "filters.reference": "built-in model",
    "filters.layers_title": "A drawing through the layers",
    "filters.drawing": "what the network sees ({size} × {size} pixels)",
    "filters.layer_maps": "Layer {number} · {height} × {width} · the {shown} of its {count} maps that lit up most",
    "filters.layer_numbers": "Layer {number} · {count} numbers: no picture left",
    "filters.caption_default": "You have no model of your own yet, so these are my built-in model's filters. After /train you see yours beside them.",
    "filters.caption_tuned": "Left: the built-in model's filters. Right: your model's. Your model started from them and changed them by {change} to fit your drawings: it learned filters of its own.",
    "filters.caption_scratch": "Your model learned these filters from nothing, from your drawings alone.",
    "filters.caption_dense": "Your model is a dense network: it has no filters. Each of its neurons looks at all pixels at once, so what it learns in one spot does not help in another. That is why a CNN does better on drawings: try /compare. Below: your drawing as it sees it, as rows of numbers.",
    "filters.caption_how": "Each filter looks for one tiny pattern. Below, each map shows where its filter found that pattern in the drawing: the darker, the more. Layer 1 finds bits of strokes; the deeper layers put them together into eyes and mouths.",
    "filters.caption_no_drawing": "Send a drawing to see it go through the layers.",
    "filters.outdated": "Your model was trained before I could show filters. /train once more to see them.",
    # What in the data could mislead the model (/status and /train)
    "health.header": "⚠️ What could mislead the model:",
    "health.few": (
        "• {label} has only {count} drawings: with so few, one odd drawing can throw the model off."
        " {target} or more are better."
    ),
    "health.unbalanced": (
        "• {big} has {times} times as many drawings as {small}: the model will answer {big}"
        " more often. Give each label about as many."
    ),
    "health.one_person": (
        "• All drawings of {label} are by one person: the model learns their style, not what"
        " {label} looks like. Ask others to draw some too."
    ),
    "health.photo_or_screen": (
        "• All of {photos} are photos and all of {screens} are drawn on a screen: the model"
        " may learn to tell photos from screens instead of looking at the face. Give each"
        " label photos and screen drawings."
    ),
    "health.copies": (
        "• {count} drawings are near copies of others: copies make the validation look"
        " better than the model is."
    ),
    "health.copies_one": (
        "• 1 drawing is a near copy of another: copies make the validation look better than"
        " the model is."
    ),
    "health.mislabelled": (
        "• {count} drawings may carry the wrong label: the last training's validation was"
        " sure they are something else. If it is right, tap to move them:"
    ),
    "health.mislabelled_line": "drawing {id}: labelled {label}, looks like {other}",
    "health.relabel_button": "Move drawing {id} to {label}",
    "relabel.done": "Moved to {label}.",
    "relabel.gone": "That drawing or label is gone.",
    # A confused pair's button under the training chart
    "pictures.pairs_hint": "Tap a pair below to see the drawings it mixed up.",
    "pair.caption": "{count} drawings of {true} that the validation took for {predicted}.",
    "pair.caption_one": "1 drawing of {true} that the validation took for {predicted}.",
    "pair.gone": "These drawings have been deleted since.",
    # /undo and /delete
    "undo.done": "Deleted your last labelled sample ({label}). {label} has {count} left.",
    "undo.nothing": "You have no labelled samples in this chat to undo.",
    "delete.usage": "Which label? /delete <label> – see /labels.",
    "delete.unknown": "There is no label “{label}” here. See /labels.",
    "delete.confirm": "Delete the label {label} and its {count} samples? This cannot be undone.",
    "delete.yes": "Yes, delete",
    "delete.no": "No, keep it",
    "delete.done": "Deleted the label {label} and its {count} samples.",
    "delete.kept": "Kept {label}.",
    "delete.gone": "That label no longer exists.",
    "delete.not_yours": "Only the person who asked can answer this.",
    # /rename
    "rename.usage": "Rename a label like this: /rename <old> <new>, for example /rename happy smile.",
    "rename.unknown": "There is no label “{label}” here. See /labels.",
    "rename.exists": "There is a label “{label}” already. Pick another name, or /delete one of the two.",
    "rename.same": "That is its name already.",
    "rename.training": "A training is running here. Rename the label once it has finished.",
    "rename.done": (
        "Renamed {old} to {new}. Samples with this label: {count}. The trained model "
        "answers with the new name too."
    ),
    "reset.empty": "There is nothing to delete here.",
    "reset.confirm": (
        "Delete all {samples} samples, {labels} labels and the trained models of this chat? "
        "The training parameters stay. This cannot be undone."
    ),
    "reset.yes": "Yes, delete everything",
    "reset.no": "No, keep it",
    "reset.kept": "Nothing was deleted.",
    "reset.training": "A training is running here. Send /stop first, then /reset.",
    "reset.done": (
        "Deleted {samples} samples, {labels} labels and {runs} trainings with their "
        "models. The built-in model answers again."
    ),
    # /export and /import
    "export.empty": "There is nothing to export yet: this chat has no images.",
    "export.too_large": (
        "The export would be {mb} MB, but I can send at most {limit} MB. "
        "Remove some images with /delete first."
    ),
    "export.caption": (
        "{images} images, {labels} labels. Send this zip to any chat with the caption "
        "/import to add them there."
    ),
    "import.zip_hint": "To add the images of a zip made by /export, send it with the caption /import.",
    "import.usage": (
        "Send a zip file (such as one from /export) with the caption /import, or reply "
        "/import to one. Each folder of images in it is a label; images in "
        "unlabelled/ or at the top get none."
    ),
    "import.download_failed": "I couldn't download that file from Telegram. Please send it again.",
    "import.not_a_zip": "That file is not a zip archive I can read, so nothing was imported.",
    "import.too_many_entries": (
        "That zip holds {count} files; at most {limit} fit into a chat. Nothing was imported."
    ),
    "import.too_big": (
        "That zip unpacks to too much (at most {entry_mb} MB a file, {total_mb} MB in all). "
        "Nothing was imported."
    ),
    "import.bomb": (
        "That zip is packed far tighter than images ever are (a zip bomb?). Nothing was imported."
    ),
    "import.unsafe_name": (
        "That zip contains “{name}”, which is not a plain file in a folder "
        "(an absolute path, “..”, a backslash or a link). Nothing was imported."
    ),
    "import.done": "Imported {count} images.",
    "import.label_line": "• {label}: {count}",
    "import.unlabelled_line": "• without a label: {count}",
    "import.nothing_new": "No new images imported.",
    "import.already_here": "Skipped {count} already in this chat.",
    "import.over_samples": "{count} did not fit: a chat holds at most {limit} images.",
    "import.over_labels": "{count} did not fit: a chat has at most {limit} labels.",
    "import.refused": "Refused {count}:",
    "import.refused_line": "• {path}: {reason}",
    "import.train_hint": "Send /train to train on them.",
    "import.why.bad_label": "its folder is no valid label (1–32 letters, digits, - or _)",
    "import.why.encrypted": "encrypted",
    "import.why.damaged": "damaged, or packed in a way I can't read",
    "import.why.empty": "empty",
    "import.why.not_an_image": "not an image",
    "import.why.unsupported_format": "not PNG, JPEG, WebP or HEIC",
    "import.why.animated": "animated",
    "import.why.too_many_pixels": "too many pixels",
    "import.why.too_small": "too small",
    "import.why.extreme_aspect": "too narrow",
    "import.why.corrupt": "damaged image",
    "import.why.blank": "no drawing found",
    "import.why.faint": "lines too faint",
    "import.why.paper_only": "empty sheet of paper",
    # other messages
    "unknown_command": "I don't know {command}. /help lists what I can do.",
    "text_hint": "Send me a drawing or photo of a smiley, then label it with /label <name>.",
    "not_allowed": "Sorry, this bot is private.",
    "storage.full": "My disk is full, so I could not save that. Nothing you sent before is lost. Please try again later.",
    "admin.only": "Only this group's admins can use /{command} here.",
    "admin.check_failed": "I could not check whether you are an admin here. Please try again in a moment.",
    "error": "Sorry, something went wrong on my side. Please try again.",
    # --- pictures and /compare
    "cmd.samples": "Show a label's samples as the model sees them",
    "cmd.compare": "Compare dense, cnn and a cnn that starts from my built-in model",
    "pictures.history_title": "How the training went",
    "pictures.history_loss": "Loss (lower is better)",
    "pictures.history_accuracy": "Accuracy (higher is better)",
    "pictures.history_epoch": "Epoch",
    "pictures.history_training": "training samples",
    "pictures.history_validation": "validation samples",
    "pictures.history_best": "best: epoch {epoch}",
    "pictures.confusion_title": "Confusion matrix (validation)",
    "pictures.confusion_true": "true label",
    "pictures.confusion_predicted": "predicted label",
    "pictures.training_caption": "Above: loss and accuracy per epoch, training samples against validation samples. Below: the confusion matrix: each row is a true label, each column what the model predicted.",
    "pictures.training_caption_folds": "Above: loss and accuracy per epoch, training samples against validation samples, the mean of {folds} runs (the band shows their spread). Below: the confusion matrix: each row is a true label, each column what the model predicted.",
    "pictures.best_line": "The dashed green line marks the epoch where validation was best. If after it the validation loss goes up while the training loss keeps going down, the model is memorising its training drawings instead of learning: that is called overfitting.",
    "pictures.misclassified": "{count} validation images were misclassified:",
    "pictures.misclassified_one": "1 validation image was misclassified:",
    "pictures.misclassified_more": "{count} validation images were misclassified; here are {shown} of them ({hidden} not shown).",
    "pictures.misclassified_none": "No validation image was misclassified.",
    "pictures.misclassified_caption": "true: {true} → predicted: {predicted}",
    "samples.usage": "Which label? /samples <label> – see /labels.",
    "samples.unknown": "There is no label “{label}” here. See /labels.",
    "samples.empty": "{label} has no samples yet.",
    "samples.caption": "{label}: {count} samples, as the model sees them (28×28).",
    "samples.caption_capped": "{label}: {count} samples (showing the {shown} newest), as the model sees them (28×28).",
    "compare.queued": "Comparison queued: {ahead} ahead of yours. I'll start as soon as I can.",
    "compare.starting": "Comparing dense, cnn and cnn from the built-in model starts…",
    "compare.progress_header": "Comparing {architectures} on {samples} samples: {labels}",
    "compare.progress_stage": "{architecture}, validation run {fold}/{folds}, epoch {epoch}/{epochs}",
    "compare.finished": "Comparison finished in {seconds} s. The model that answers is unchanged.",
    "compare.result_kfold": "Validation accuracy on the same {folds} folds: {results}.",
    "compare.result_holdout": "Validation accuracy on the same held-out samples: {results}.",
    "compare.explain": "dense and cnn learn from nothing, as in the talk; the third starts from what my built-in model learned from thousands of smileys.",
    "compare.variant.dense": "dense",
    "compare.variant.cnn": "cnn",
    "compare.variant.cnn-pretrained": "cnn from the built-in model",
    "compare.chart_title": "Validation accuracy on the same validation samples",
    "compare.chart_axis": "validation accuracy (%)",
    "compare.failed": "Comparison failed: {reason}",
    "compare.stopped": "Comparison stopped: {reason}",
    "compare.interrupted": "Comparison interrupted: {reason}",
    "compare.model_unchanged": "The model that answers is unchanged.",
    "compare.reason_restart": "the bot restarted. Send /compare to start again.",
    # --- corrections and /stats
    "cmd.stats": "Samples per contributor and per label",
    "fix.stored": "Stored as {label}.",
    "fix.stored_line": "✅ Stored as {label}",
    "fix.stored_line_by": "✅ Stored as {label} by {name}",
    "fix.already": "Already stored as {label}.",
    "fix.gone": "This image is no longer stored.",
    "fix.gone_line": "🗑 This image was deleted.",
    "fix.label_gone": "That label no longer exists here. Tap another one or use /label.",
    "fix.too_many_labels": (
        "This chat already has {limit} labels, the maximum. Tap one of them, or "
        "remove one with /delete <label>."
    ),
    "fix.retrain_offer": "You added {count} samples by tapping since the last training. Train again?",
    "fix.retrain_offer_one": "You added 1 sample by tapping since the last training. Train again?",
    "fix.retrain_button": "Train now",
    "stats.empty": "No labelled samples yet. Send a smiley with the caption /label smile.",
    "stats.contributors": "Samples per contributor:",
    "stats.labels": "Samples per label:",
    "stats.line": "• {name}: {count}",
    "stats.line_validated": "• {name}: {count} (validation: {right} of {validated} right)",
    "stats.validated_hint": (
        "In brackets: how many of their drawings the last training got right without having"
        " seen them. Far fewer for one person means the model learned the others' style."
    ),
    "stats.others": "• {people} others: {count}",
    "stats.imported": "imported",
    "stats.unknown_user": "user {id}",
    "stats.total": "Labelled samples in all: {count}",
    # --- /export model
    "export.usage": "/export sends this chat's images as a zip, /export model its trained model.",
    "export.model_none": (
        "This chat has no trained model to export yet: train one first with /train. Until "
        "then the built-in smiley model answers, and it is not exported."
    ),
    "export.model_missing": (
        "The files of this chat's model are gone. Send /train to train it again."
    ),
    "export.model_too_large": "The model is {mb} MB, but I can send at most {limit} MB per file.",
    "export.model_caption": (
        "This chat's model, trained on {samples} samples. Its labels in output order: {labels}"
    ),
    "export.model_outdated": "The samples changed since: /train to update it.",
    "export.model_howto": (
        "To classify a drawing with it exactly as I do, run this Python code in a copy of my "
        "source code (this bot's repository, with its requirements installed): its "
        "model/serving/preprocess.py prepares images the same way for training and prediction."
    ),
    "export.model_step_prepare": "1. Prepare the drawing {drawing}:",
    "export.model_step_keras": "2. Classify it with Keras ({file}):",
    "export.model_step_tflite": "Or with LiteRT ({file}), without TensorFlow:",
    "export.model_step_show": "3. Show the labels, most likely first:",
    # --- drawing
    "cmd.draw": "Draw a smiley on a canvas",
    "draw.button": "✏️ Draw a smiley",
    "draw.open": (
        "Tap “✏️ Draw a smiley” below to open the canvas. Draw, then tap Predict to hear what "
        "I see, or a label to store the drawing under it."
    ),
    "draw.private_only": (
        "Telegram allows the drawing button only in private chats. Open a chat with me "
        "(@{bot}) and send /draw there."
    ),
    "draw.not_configured": (
        "The drawing canvas isn't switched on for this bot: whoever runs it sets [webapp] url "
        "in the config to the page's public https:// address. Until then, send a photo of a "
        "drawing. (The local playground has the canvas built in.)"
    ),
    "draw.stored": "Saved your drawing as {label}.",
    "draw.not_stored": "The drawing was not stored.",
    "draw.error.too_large": (
        "That drawing is too large ({detail}): Telegram passes on at most 4096 bytes."
    ),
    "draw.error.not_json": (
        "That drawing arrived garbled. Open the canvas again with /draw and send it once more."
    ),
    "draw.error.unknown_version": (
        "That drawing comes from another version of the canvas ({detail}). Close the canvas, "
        "send /draw for a fresh one and try again."
    ),
    "draw.error.bad_fields": (
        "That drawing has missing or unexpected parts ({detail}). Open the canvas again with "
        "/draw and send it once more."
    ),
    "draw.error.bad_action": (
        "That drawing asks for something I don't know ({detail}): Predict or a label, please."
    ),
    "draw.error.wrong_size": (
        "That drawing is {detail} pixels wide, but the canvas sends 128. Open it again with /draw."
    ),
    "draw.error.bad_base64": (
        "The picture in that drawing is damaged. Open the canvas again with /draw and send it "
        "once more."
    ),
    "draw.error.wrong_length": (
        "The picture in that drawing has the wrong length ({detail}, not 2048 bytes). Open the "
        "canvas again with /draw and send it once more."
    ),
    "draw.error.blank": "That drawing is empty. Draw a smiley first, then send it.",
    "draw.error.no_label": "Which label? Type one into the field before you tap it.",
    "draw.error.invalid_label": (
        "“{raw}” is not a valid label: use 1–32 letters, digits, - or _, no spaces."
    ),
    "draw.error.invalid_label_hint": "“{raw}” is not a valid label (no spaces). Try {hint}.",
    # Class projects (bot/classroom/)
    "class.only_groups": "/classroom works in a group: add me to your class's group and send it there.",
    "class.started": (
        "🏫 The class has started! Everyone opens this link (or scans the code) on their phone:\n"
        "{link}\n\n"
        "Each of you then draws in your own chat with me. Every labelled drawing goes into "
        "this class's dataset, and the class's model answers you there. Below you see what the "
        "class has drawn. When every label is ready, an admin sends /train here.\n\n"
        "/classroom close stops new pupils from joining, /classroom end keep (or end delete) "
        "ends the class."
    ),
    "class.link_again": "🏫 The class's link (or scan the code):\n{link}",
    "class.closed_note": "Joining is closed at the moment: /classroom open lets new pupils in.",
    "class.none": "This group has no class. /classroom starts one.",
    "class.opened": "New pupils can join again.",
    "class.closed": "Joining is closed: nobody new can join. /classroom open lets them in again.",
    "class.end_usage": (
        "End the class and keep its drawings (this group can still train on them): "
        "/classroom end keep\nEnd it and delete every drawing made for it: /classroom end delete"
    ),
    "class.ended_kept": "The class has ended. Its link no longer works. Its drawings stay with this group.",
    "class.ended_deleted": "The class has ended. Its link no longer works. Drawings made for it that are now deleted: {count}.",
    "class.remove_unknown": "No pupil of this class is called {name}.",
    "class.remove_ambiguous": "Several pupils are called {name}: I can't tell which one you mean.",
    "class.removed": "{name}'s drawings ({count}) are no longer in the class's dataset. {name} keeps them in their own chat.",
    "class.usage": (
        "/classroom – start the class, or show its link again\n"
        "/classroom close, /classroom open – stop or allow new pupils\n"
        "/classroom remove <first name> – take a pupil's drawings out of the class\n"
        "/classroom end keep, /classroom end delete – end the class"
    ),
    "class.tally_header": "🏫 The class · pupils who joined: {pupils} · who have drawn: {contributed}",
    "class.tally_line": "• {label}: {count}",
    "class.tally_empty": "No labelled drawings yet. Each label needs {minimum}.",
    "class.tally_needs": "{label} needs {missing} more",
    "class.tally_two_labels": "For /train: at least 2 labels with {minimum} drawings each.",
    "class.tally_ready": "Ready: an admin can send /train.",
    "class.join_in_private": "Open the class's link on your phone: joining works in your own chat with me.",
    "class.joined": (
        "Welcome to the class, {name}! 🎉\n"
        "Draw smileys on paper, take a photo and send it to me. Label each drawing: "
        "send it with the caption /label smile (or tap the right label under my guess). "
        "Your labelled drawings go into the class's dataset. The class needs at least "
        "2 labels with {minimum} drawings each. /leave takes you out of the class."
    ),
    "class.already": "You are in this class already, {name}. Go on drawing!",
    "class.code_unknown": "I don't know this class code. Ask your teacher for the link.",
    "class.code_ended": "This class has ended, so its link no longer works. Ask your teacher for a new one.",
    "class.code_closed": "Joining this class is closed. Ask your teacher to open it again.",
    "class.not_in_one": "You are not in a class.",
    "class.leave_ask": "Leave the class? What should happen to the drawings you made for it?",
    "class.leave_keep": "Leave, my drawings stay with the class",
    "class.leave_take": "Leave and take my drawings with me",
    "class.left_kept": "You have left the class. Your drawings stay with the class. From now on you teach your own model.",
    "class.left_took": "You have left the class and took your drawings with you ({count}). From now on you teach your own model.",
    # Worksheets (bot/samples/worksheets.py)
    "sheet.instruction": "Draw one smiley in each box, like the label of its row. Photograph the whole sheet.",
    "sheet.blank_label": "Label:",
    "sheet.file_name": "smiley-worksheet.pdf",
    "sheet.caption": (
        'Your worksheet, rows: {labels}. Print it at 100% ("actual size"), draw one smiley in '
        "each box, and send me a photo of the whole sheet: I store every drawing under its "
        "row's label. Hold the phone straight above the sheet so that all four black squares "
        "in its corners are in the photo."
    ),
    "sheet.stored": "📄 From your worksheet I stored {count} drawings:",
    "sheet.nothing_stored": "📄 I found your worksheet, but every box is empty.",
    "sheet.stored_line": "• {label}: {count}",
    "sheet.stored_unlabelled": "• without a label (its row had none): {count}. Reply /label <name> to each to label it.",
    "sheet.empty": "Empty boxes: {count}",
    "sheet.duplicates": "Already stored from this photo before: {count}",
    "sheet.unreadable": "Boxes I could not read (row.box): {boxes}",
    "sheet.no_sheet": "I can't find the worksheet in this photo. Photograph the whole sheet from above.",
    "sheet.markers_missing": "I can't see the black square in the {corners} corner of the sheet. Take the photo again with all four corners in it.",
    "sheet.too_small": "The worksheet is too small in this photo. Hold the phone closer, so the sheet fills the picture.",
    "sheet.too_blurred": "This photo of the worksheet is too blurry. Hold the phone still and take it again.",
    "sheet.corner.top-left": "top left",
    "sheet.corner.top-right": "top right",
    "sheet.corner.bottom-right": "bottom right",
    "sheet.corner.bottom-left": "bottom left",
}
