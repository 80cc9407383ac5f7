"""German: every key of en.py has its German text here (tests/bot/texts/test_catalogue.py)."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    # --- core: the texts of 1/5 to 3/5
    "accepts": "Fotos, Bilddateien (PNG, JPEG, WebP, HEIC) und unbewegte Sticker",
    # commands shown in Telegram's menu
    "cmd.start": "Hier geht's los",
    "cmd.help": "So bringst du mir etwas bei",
    "cmd.label": "Dein letztes Bild beschriften: /label fröhlich",
    "cmd.labels": "Beispiele pro Label",
    "cmd.status": "Stand der Daten und des Modells",
    "cmd.undo": "Dein zuletzt beschriftetes Beispiel löschen",
    "cmd.delete": "Ein Label mit seinen Beispielen löschen",
    "cmd.rename": "Ein Label umbenennen, die Beispiele bleiben",
    "cmd.reset": "Alle Beispiele und Modelle dieses Chats löschen",
    "cmd.train": "Das Modell dieses Chats trainieren",
    "cmd.stop": "Das laufende Training abbrechen",
    "cmd.set": "Einen Trainingsparameter ändern",
    "cmd.params": "Die Trainingsparameter anzeigen",
    "cmd.debug": "Auf ein Bild antworten: was das Modell sieht",
    "cmd.why": "Auf eine Zeichnung antworten: welche Striche meine Antwort entschieden haben",
    "cmd.filters": "Was mein Netz gelernt hat: seine Filter und eine Zeichnung durch seine Schichten",
    "cmd.worksheet": "Ein Blatt zum Ausdrucken: zwölf Kästchen zum Zeichnen, gelesen von einem Foto",
    "cmd.classroom": "Eine Klasse starten: Alle treten per Link bei und bringen einem Modell etwas bei",
    "cmd.leave": "Deine Klasse verlassen",
    "cmd.export": "Bilder als Zip; /export model: das trainierte Modell",
    "cmd.import": "Ein Zip mit der Bildunterschrift /import schicken: Seine Bilder kommen dazu",
    # /start and /help
    "start.private": (
        "Hallo {name}! Ich lerne, Smileys auf deinen Zeichnungen zu erkennen.\n\n"
        "1. Zeichne einen Smiley (auf Papier oder am Handy) und schick mir ein Foto davon.\n"
        "2. Sag mir, was es ist: /label fröhlich\n"
        "3. Sammle mindestens 2 Sorten mit je {minimum} Zeichnungen (mehr ist besser), dann schick /train.\n"
        "4. Schick eine neue Zeichnung ohne Label: Ich sage dir, was ich darin sehe.\n\n"
        "/help zeigt alles, was ich kann."
    ),
    "start.group": (
        "Hallo zusammen! Diese Gruppe hat ihre eigene Smiley-Sammlung: Schickt Zeichnungen "
        "von Smileys und beschriftet sie mit /label <name>. /help erklärt mehr."
    ),
    "start.group_privacy": (
        "Hinweis: Der Privatsphäre-Modus von Telegram ist für mich eingeschaltet. Deshalb sehe "
        "ich nur Bilder, deren Bildunterschrift mit /label beginnt, und /label als Antwort auf "
        "ein Bild. Damit ich jedes Bild sehe, kann ihn abschalten, wer den Bot betreibt, und "
        "zwar bei @BotFather: /mybots → der Bot → Bot Settings → Group Privacy → Turn off. "
        "Danach muss mich jemand aus der Gruppe entfernen und wieder hinzufügen."
    ),
    "help": (
        "So lerne ich, in vier Schritten:\n"
        "1. Zeichne Smileys und schick mir Fotos davon (auf Papier oder am Bildschirm).\n"
        "2. Sag mir, was jeder ist: Schick ihn mit der Bildunterschrift /label fröhlich, oder "
        "tippe unter meiner Vermutung auf das richtige Label.\n"
        "3. Sammle mindestens 2 Sorten mit je {minimum} Zeichnungen, dann schick /train.\n"
        "4. Schick eine neue Zeichnung: Ich sage dir, was ich darin sehe. 🔍 Warum? zeigt dir, "
        "welche Striche entschieden haben.\n\n"
        "/status zeigt, was noch fehlt. /help more zeigt alles andere, was ich kann."
    ),
    "help.more": (
        "Ich lerne, Smileys auf den Zeichnungen zu erkennen, die dieser Chat beschriftet.\n\n"
        "So kannst du ein Bild beschriften:\n"
        "• schick es mit der Bildunterschrift /label fröhlich\n"
        "• antworte auf ein Bild mit /label fröhlich (korrigiert auch ein falsches Label)\n"
        "• schick /label fröhlich direkt nach deinem Bild (innerhalb von {window} Minuten)\n"
        "• tippe unter meiner Vermutung auf das richtige Label (✅, wenn ich richtig lag)\n"
        "Ein Album mit der Bildunterschrift /label fröhlich beschriftet jedes Bild darin.\n\n"
        "Label-Namen: 1–32 Buchstaben, Ziffern, - oder _. Probier: {suggested}. "
        "Bis zu {max_labels} Labels pro Chat.\n\n"
        "/labels – Beispiele pro Label\n"
        "/status – was noch fehlt, und das Modell\n"
        "/train – das Modell dieses Chats trainieren (/stop bricht ab)\n"
        "/set, /params – Einstellungen: die des Trainings (epochs, learning_rate, batch_size, architecture, validation, start) und builtin off, um mit einem Modell anzufangen, das nichts weiß\n"
        "/debug – auf ein Bild antworten: das 28×28-Bild, das das Modell sieht\n"
        "/why – auf eine Zeichnung oder meine Antwort antworten: welche Striche entschieden haben\n"
        "/filters – was mein Netz gelernt hat: seine Filter und eine Zeichnung durch seine Schichten\n"
        "/worksheet – ein Blatt zum Ausdrucken: zwölf Smileys zeichnen, ein Foto schicken\n"
        "/classroom – in einer Gruppe: eine Klasse, deren Kinder per Link beitreten und einem Modell etwas beibringen (/leave verlässt sie)\n"
        "/samples <label> – ein Bogen mit den 28×28-Bildern dieses Labels\n"
        "/compare – dense und cnn, die bei null anfangen, und ein cnn, das mit meinem eingebauten Modell startet, auf denselben Daten vergleichen\n"
        "/stats – Beispiele pro Person und pro Label\n"
        "/draw – eine Zeichenfläche, direkt in Telegram (private Chats)\n"
        "/undo – dein zuletzt beschriftetes Beispiel löschen\n"
        "/delete <label> – ein Label mit seinen Beispielen löschen\n"
        "/rename <alt> <neu> – ein Label umbenennen; Beispiele und trainiertes Modell behalten es\n"
        "/reset – alle Beispiele und Modelle dieses Chats löschen\n"
        "/export – die Bilder dieses Chats als Zip, ein Ordner pro Label\n"
        "/export model – das trainierte Modell als .keras und .tflite, mit Beispielcode\n"
        "/import – schick so ein Zip mit der Bildunterschrift /import, um seine Bilder "
        "hinzuzufügen\n"
        "In Gruppen nur für Admins: {admin_commands}.\n\n"
        "Ich nehme {accepts}.\n"
        "Gespeichert wird: jedes Bild als kleine Graustufen-Kopie und als 28×28-Version, "
        "mit Label und Absender-ID, nur um das Modell dieses Chats zu trainieren. Die Daten "
        "jedes Chats gehören nur ihm."
    ),
    # Die Labels des eingebauten Modells, wie man sie liest (bot/labels/built_in.py);
    # gespeichert werden sie unter ihrem englischen Namen. Adjektive, damit
    # „Ich glaube, das ist traurig.“ ein Satz ist, wie ihn ein Kind sagt.
    "builtin_label.smile": "fröhlich",
    "builtin_label.sad": "traurig",
    "builtin_label.neutral": "neutral",
    "builtin_label.upside-down": "kopfüber",
    # labelling
    "label.usage": "Sag mir das Label: /label fröhlich (oder antworte damit auf ein Bild).",
    "label.invalid": (
        "„{raw}“ ist kein gültiges Label: Nimm 1–32 Buchstaben, Ziffern, - oder _, "
        "ohne Leerzeichen."
    ),
    "label.invalid_hint": "„{raw}“ ist kein gültiges Label (keine Leerzeichen). Probier /label {hint}",
    "label.kept_unlabelled": (
        "Das Bild ist ohne Label gespeichert: Antworte darauf mit /label <name>."
    ),
    "label.nothing": (
        "Ich habe kein unbeschriftetes Bild von dir aus den letzten {window} Minuten. "
        "Schick zuerst eins, oder antworte auf ein Bild mit /label {label}."
    ),
    "label.not_an_image": (
        "Antworte auf ein Bild (ein Foto, eine Bilddatei oder einen Sticker), um es zu beschriften."
    ),
    "label.done": "Als {label} beschriftet. {label} hat jetzt {count}.",
    "label.done_many": "{n} Bilder als {label} beschriftet. {label} hat jetzt {count}.",
    "label.relabelled": "Label geändert: von {old} zu {label}. {label} hat jetzt {count}.",
    "label.unchanged": "Das Bild ist schon als {label} beschriftet.",
    # intake acknowledgements and refusals
    "ack.labelled": "Als {label} gespeichert.",
    "ack.unlabelled": (
        "Gespeichert. Beschrifte es mit /label <name> (als nächste Nachricht oder als Antwort)."
    ),
    "ack.duplicate": "Dieses Bild habe ich schon (Label: {label}).",
    "ack.duplicate_unlabelled": "Dieses Bild habe ich schon, ohne Label.",
    "intake.unsupported": "Mit {what} kann ich nichts anfangen. Ich nehme {accepts}.",
    "media.video": "einem Video",
    "media.gif": "einem GIF",
    "media.animated_sticker": "einem animierten Sticker",
    "media.pdf": "einem PDF",
    "media.voice": "einer Sprachnachricht",
    "media.video_note": "einer Videonachricht",
    "media.audio": "einer Audiodatei",
    "media.file": "dieser Art von Datei",
    "media.file_ext": "einer .{ext}-Datei",
    "intake.too_large": "Die Datei ist zu groß: Die Grenze liegt bei {mb} MB.",
    "intake.download_failed": (
        "Ich konnte das Bild nicht von Telegram herunterladen. Schick es bitte noch einmal."
    ),
    "intake.throttled": (
        "Nicht so schnell: höchstens {limit} Bilder pro Minute. Versuch es in {seconds} s "
        "noch einmal."
    ),
    "intake.chat_full": (
        "Dieser Chat hat seine Grenze von {limit} Bildern erreicht. Mach Platz mit /delete, "
        "/undo oder /reset."
    ),
    "intake.too_many_labels": (
        "Dieser Chat hat schon {limit} Labels, das Maximum. Nimm eins davon, oder entferne "
        "eins mit /delete <label>."
    ),
    "reject.empty": "Die Datei ist leer.",
    "reject.not_an_image": "Die Datei ist kein Bild, das ich lesen kann. Ich nehme {accepts}.",
    "reject.unsupported_format": "Mit {detail}-Bildern kann ich nichts anfangen. Ich nehme {accepts}.",
    "reject.animated": "Das Bild ist animiert. Schick bitte ein unbewegtes Bild.",
    "reject.too_many_pixels": "Das Bild ist zu groß ({detail} Pixel). Schick bitte ein kleineres.",
    "reject.too_small": "Das Bild ist zu klein ({detail}), um darin einen Smiley zu erkennen.",
    "reject.extreme_aspect": "Das Bild ist zu schmal ({detail}) für einen Smiley.",
    "reject.corrupt": "Das Bild ist beschädigt oder unvollständig. Schick es bitte noch einmal.",
    "reject.blank": "Ich finde keine Zeichnung auf dem Bild. Ist es leer?",
    "reject.faint": (
        "Ich sehe auf dem Bild nur ganz schwache Striche. Zeichne mit einem dunkleren Stift oder "
        "dickeren Linien oder mach das Foto bei mehr Licht. Dann schick es noch mal."
    ),
    "reject.paper_only": (
        "Ich sehe ein Blatt Papier, aber nichts darauf. Zeichne deinen Smiley mit einem dunklen "
        "Stift und mach das Foto dann noch mal."
    ),
    "notices.more": "… und {n} weitere.",
    # /labels and /status
    "labels.empty": (
        "Noch keine beschrifteten Beispiele. Schick einen Smiley mit der Bildunterschrift "
        "/label fröhlich."
    ),
    "labels.header": "Beispiele pro Label:",
    "labels.line": "• {label}: {count}",
    "labels.unlabelled": "Unbeschriftete Bilder: {count}",
    "status.header": (
        "Die Daten dieses Chats: {total} Bilder, {labelled} beschriftet, "
        "{unlabelled} unbeschriftet."
    ),
    "status.labels": "Labels: {n} von höchstens {max_labels}.",
    "status.needs": "• {label}: {count} (braucht noch {missing})",
    "status.ready": "• {label}: {count} ✓",
    "status.no_labels": (
        "Noch keine Labels. Jedes Label braucht mindestens {min} Beispiele zum Trainieren."
    ),
    "status.min_labels": "Zum Trainieren braucht es mindestens 2 Labels.",
    "status.model_none": (
        "Modell: noch keins trainiert, deshalb antwortet das eingebaute Modell. "
        "Mit /train trainierst du dein eigenes."
    ),
    "status.model": (
        "Modell: trainiert mit {samples} Beispielen, Validierungsgenauigkeit {accuracy}."
    ),
    "status.model_outdated": "Die Beispiele haben sich seitdem geändert: /train bringt das Modell auf den neuesten Stand.",
    "status.training": "Ein Training läuft oder wartet: /stop bricht es ab.",
    # training
    "train.not_enough": (
        "Noch nicht genug Beispiele zum Trainieren. Jedes Label braucht mindestens {minimum}:"
    ),
    "train.missing": "• {label}: noch {missing}",
    "train.too_few_labels": (
        "Zum Trainieren braucht es mindestens 2 Labels mit je {minimum} Beispielen."
    ),
    "train.already": "Hier läuft oder wartet schon ein Training. /stop bricht es ab.",
    "train.queued": "Training eingereiht: {ahead} vor deinem. Ich fange an, sobald ich kann.",
    "train.starting": "Das Training beginnt …",
    "train.progress_header": "Training mit {samples} Beispielen: {labels}",
    "train.stage_validation": "Validierungslauf {fold}/{folds}",
    "train.stage_final": "endgültiges Modell",
    "train.progress_stage": "{stage}, Epoche {epoch}/{epochs}",
    "train.progress_metrics": "Trainingsgenauigkeit {accuracy} (Loss {loss})",
    "train.progress_validation": "Validierungsgenauigkeit {accuracy}",
    "train.finished": "Training fertig nach {seconds} s.",
    "train.validation": "Validierungsgenauigkeit: {accuracy} ({method}, {samples} Beispiele).",
    "train.method_kfold": "{folds}-fache Kreuzvalidierung",
    "train.method_holdout": "zurückgehaltene Beispiele",
    "train.per_label": "• {label}: {accuracy} von {count}",
    "train.fit_overfitting": "Ab Epoche {epoch} hat es die Zeichnungen nur noch auswendig gelernt, statt sie zu verstehen (das nennt man Overfitting): Nimm weniger Epochen oder zeichne mehr Bilder.",
    "train.fit_unfinished": "Es war noch nicht fertig mit dem Lernen (das nennt man Underfitting): Gib ihm mehr Epochen.",
    "train.fit_good_fit": "Am besten war es um Epoche {epoch} herum, und es hat die Zeichnungen nicht auswendig gelernt: Das passt gut.",
    "train.start_pretrained": "Es hat mit dem angefangen, was mein eingebautes Modell über Smileys weiß.",
    "train.start_pretrained_tuned": (
        "Es hat mit dem angefangen, was mein eingebautes Modell über Smileys weiß, und dann seine "
        "eigenen Filter an deine Zeichnungen angepasst: Sie haben sich um {change} verändert. "
        "/filters zeigt sie dir."
    ),
    "train.start_scratch": "Es hat bei null angefangen und alle seine Filter selbst gelernt: /filters zeigt sie dir.",
    "train.serving": "Ab jetzt antwortet das neue Modell.",
    "train.failed": "Training fehlgeschlagen: {reason}",
    "train.stopped": "Training abgebrochen: {reason}",
    "train.interrupted": "Training unterbrochen: {reason}",
    "train.previous_serves": "Das bisherige Modell antwortet weiter.",
    "train.reason_stop": "du hast /stop geschickt.",
    "train.reason_restart": "der Bot wurde neu gestartet. Schick /train, um neu anzufangen.",
    "train.reason_bug": "ein Fehler bei mir. Bitte versuch es noch einmal.",
    "train.reason_no_space": "meine Festplatte ist voll. Bitte versuch es später noch einmal.",
    "train.reason_crash": "der Trainingsprozess hat unerwartet aufgehört (Code {code}).",
    "stop.done": "Ich breche das Training ab …",
    "stop.nothing": "Hier läuft kein Training.",
    # parameters
    "set.usage": "So geht's: /set <name> <wert>, z. B. /set epochs 40. /params zeigt alle.",
    "set.invalid": "Ungültiger Wert für {name}: Nimm {rule}.",
    "set.unknown": "Es gibt keinen Parameter „{name}“: Nimm {rule}.",
    "set.done": "{name} ist jetzt {value}. Das gilt ab dem nächsten /train.",
    "params.header": "Einstellungen (ändern mit /set <name> <wert>):",
    "params.line": "• {name} = {value} ({rule})",
    # Was jeder Parameter tut, in einer Zeile darunter
    "params.about.epochs": (
        "wie oft das Netz jede Zeichnung ansieht. Zu wenige: Es ist noch nicht fertig mit"
        " Lernen. Zu viele: Es lernt die Zeichnungen auswendig."
    ),
    "params.about.learning_rate": (
        "wie groß der Schritt ist, mit dem es sich nach jedem Stapel verbessert. Zu groß: Es"
        " springt hin und her. Zu klein: Es lernt langsam."
    ),
    "params.about.batch_size": "wie viele Zeichnungen es sich vor jedem Schritt ansieht.",
    "params.about.architecture": (
        "cnn findet Striche und Formen mit Filtern, die es selbst lernt; dense betrachtet"
        " jedes Pixel für sich."
    ),
    "params.about.validation": (
        "der Anteil der Zeichnungen, der zum Testen zurückbehalten wird, sobald jedes Label"
        " 20 oder mehr hat (bei weniger kommt jede Zeichnung einmal dran)."
    ),
    "params.about.start": (
        "pretrained startet mit dem, was mein eingebautes Modell aus Tausenden Smileys"
        " gelernt hat; scratch startet bei null, wie im Vortrag."
    ),
    "params.rule_whole": "eine ganze Zahl von {low} bis {high}",
    "params.rule_number": "eine Zahl von {low} bis {high}",
    "params.or": "oder",
    "params.rule_names": "einen von {names}",
    # predictions
    "predict.sure": "Ich glaube, das ist {label}.",
    "predict.not_sure": "Ich bin mir nicht sicher. Meine besten Vermutungen:",
    "predict.no_model_yet": "Ich weiß noch gar nichts: In diesem Chat ist mein eingebautes Modell ausgeschaltet. Sag mir, was es ist (tippe auf ein Label oder schick /label fröhlich), und nach /train fange ich an zu raten.",
    "predict.default_model": (
        "(das eingebaute Modell: Beschrifte deine eigenen Bilder und schick /train, "
        "um es mir beizubringen)"
    ),
    "predict.outdated": (
        "(mein Modell ist älter als die Beispiele dieses Chats: /train bringt es auf den "
        "neuesten Stand)"
    ),
    "predict.teach": "Tippe unten auf das richtige Label oder antworte mit /label <name>.",
    "debug.usage": (
        "Antworte mit /debug auf ein Bild, das ich gespeichert habe, um zu sehen, was das "
        "Modell sieht."
    ),
    "debug.caption": "Was das Modell sieht: {size}×{size} Pixel, helle Tinte auf Schwarz.",
    # "Warum?" unter einer Vorhersage, und /why
    "why.button": "🔍 Warum?",
    "why.caption": (
        "🔍 Meine Antwort: {label} ({percent}). Die roten Striche haben am meisten"
        " entschieden: Wenn ich sie abdecke, bin ich mir viel weniger sicher."
    ),
    "why.usage": (
        "Antworte mit /why auf eine Zeichnung oder auf meine Antwort dazu, dann zeige ich dir,"
        " was entschieden hat."
    ),
    "why.no_model_yet": "Es gibt noch kein Modell, das sagen könnte, warum: /train bringt einem etwas bei.",
    "filters.no_model_yet": "Dein Modell hat noch nichts gelernt, darum hat es noch keine Filter. Nach /train siehst du sie.",
    "params.about.builtin": "off: Mein eingebautes Modell antwortet nicht, bis ihr ein eigenes trainiert habt. So fangt ihr mit einem Modell an, das nichts weiß.",
    "why.gone": "Diese Zeichnung wurde gelöscht.",
    "filters.title": "Schicht 1: {count} Filter mit {rows} × {columns} Pixeln",
    "filters.legend": "rot: sucht Farbe · blau: sucht leeres Papier · weiß: egal",
    "filters.own": "Modell dieses Chats",
    "filters.reference": "eingebautes Modell",
    "filters.layers_title": "Eine Zeichnung durch die Schichten",
    "filters.drawing": "was das Netz sieht ({size} × {size} Pixel)",
    "filters.layer_maps": "Schicht {number} · {height} × {width} · die {shown} ihrer {count} Karten, die am stärksten reagieren",
    "filters.layer_numbers": "Schicht {number} · {count} Zahlen: kein Bild mehr",
    "filters.caption_default": "Du hast noch kein eigenes Modell, darum siehst du die Filter meines eingebauten Modells. Nach /train siehst du deine daneben.",
    "filters.caption_tuned": "Links die Filter des eingebauten Modells, rechts die deines Modells. Es hat mit ihnen angefangen und sie um {change} an deine Zeichnungen angepasst: Es hat eigene Filter gelernt.",
    "filters.caption_scratch": "Dein Modell hat diese Filter aus dem Nichts gelernt, nur aus deinen Zeichnungen.",
    "filters.caption_dense": "Dein Modell ist ein dichtes Netz (dense): Es hat keine Filter. Jedes seiner Neuronen schaut auf alle Pixel auf einmal. Was es an einer Stelle lernt, hilft ihm an einer anderen nicht. Darum ist ein CNN bei Zeichnungen besser: Probier /compare. Unten siehst du deine Zeichnung so, wie es sie sieht: als Reihen von Zahlen.",
    "filters.caption_how": "Jeder Filter sucht ein winziges Muster. Unten zeigt jede Karte, wo ihr Filter dieses Muster in der Zeichnung gefunden hat: je dunkler, desto mehr. Schicht 1 findet Stückchen von Strichen, die tieferen Schichten setzen sie zu Augen und Mündern zusammen.",
    "filters.caption_no_drawing": "Schick mir eine Zeichnung, dann siehst du, wie sie durch die Schichten geht.",
    "filters.outdated": "Dein Modell wurde trainiert, bevor ich Filter zeigen konnte. Trainiere es mit /train noch einmal, dann siehst du sie.",
    # Was in den Daten das Modell in die Irre führen könnte (/status und /train)
    "health.header": "⚠️ Was das Modell in die Irre führen könnte:",
    "health.few": (
        "• {label} hat nur {count} Zeichnungen: Bei so wenigen bringt eine ungewöhnliche"
        " Zeichnung das Modell schon durcheinander. {target} oder mehr sind besser."
    ),
    "health.unbalanced": (
        "• {big} hat {times}-mal so viele Zeichnungen wie {small}: Das Modell antwortet dann"
        " öfter {big}. Gib jedem Label etwa gleich viele."
    ),
    "health.one_person": (
        "• Alle Zeichnungen von {label} sind von einer Person: Das Modell lernt ihren Stil,"
        " nicht, wie {label} aussieht. Bitte andere, auch welche zu zeichnen."
    ),
    "health.photo_or_screen": (
        "• Alle Bilder von {photos} sind Fotos, alle von {screens} sind am Bildschirm gezeichnet:"
        " Das Modell lernt vielleicht, Fotos von Bildschirm-Zeichnungen zu unterscheiden,"
        " statt auf das Gesicht zu achten. Gib jedem Label Fotos und am Bildschirm gezeichnete"
        " Bilder."
    ),
    "health.copies": (
        "• {count} Zeichnungen sind fast Kopien von anderen: Kopien lassen die Validierung"
        " besser aussehen, als das Modell ist."
    ),
    "health.copies_one": (
        "• 1 Zeichnung ist fast eine Kopie einer anderen: Kopien lassen die Validierung"
        " besser aussehen, als das Modell ist."
    ),
    "health.mislabelled": (
        "• {count} Zeichnungen haben vielleicht das falsche Label: Die Validierung im letzten"
        " Training war sich sicher, dass sie etwas anderes sind. Wenn das stimmt, tippe, um"
        " sie zu verschieben:"
    ),
    "health.mislabelled_line": "Zeichnung {id}: beschriftet als {label}, sieht aus wie {other}",
    "health.relabel_button": "Zeichnung {id} zu {label} verschieben",
    "relabel.done": "Zu {label} verschoben.",
    "relabel.gone": "Diese Zeichnung oder dieses Label gibt es nicht mehr.",
    # Die Knöpfe für verwechselte Paare unter dem Trainingsbild
    "pictures.pairs_hint": "Tippe unten auf ein Paar, dann siehst du die verwechselten Zeichnungen.",
    "pair.caption": "{count} Zeichnungen von {true}, die bei der Validierung für {predicted} gehalten wurden.",
    "pair.caption_one": "1 Zeichnung von {true}, die bei der Validierung für {predicted} gehalten wurde.",
    "pair.gone": "Diese Zeichnungen wurden inzwischen gelöscht.",
    # /undo and /delete
    "undo.done": (
        "Dein letztes beschriftetes Beispiel ({label}) ist gelöscht. {label} hat noch {count}."
    ),
    "undo.nothing": "Du hast in diesem Chat keine beschrifteten Beispiele, die du rückgängig machen kannst.",
    "delete.usage": "Welches Label? /delete <label> – siehe /labels.",
    "delete.unknown": "Hier gibt es kein Label „{label}“. Siehe /labels.",
    "delete.confirm": (
        "Das Label {label} und seine {count} Beispiele löschen? Das lässt sich nicht "
        "rückgängig machen."
    ),
    "delete.yes": "Ja, löschen",
    "delete.no": "Nein, behalten",
    "delete.done": "Das Label {label} und seine {count} Beispiele sind gelöscht.",
    "delete.kept": "{label} bleibt.",
    "delete.gone": "Dieses Label gibt es nicht mehr.",
    "delete.not_yours": "Nur wer gefragt hat, kann das beantworten.",
    # /rename
    "rename.usage": "So benennst du ein Label um: /rename <alt> <neu>, zum Beispiel /rename froh fröhlich.",
    "rename.unknown": "Hier gibt es kein Label „{label}“. Siehe /labels.",
    "rename.exists": "Es gibt schon ein Label „{label}“. Nimm einen anderen Namen oder lösch eins der beiden mit /delete.",
    "rename.same": "So heißt es schon.",
    "rename.training": "Hier läuft gerade ein Training. Benenn das Label um, wenn es fertig ist.",
    "rename.done": (
        "{old} heißt jetzt {new}. Beispiele mit diesem Label: {count}. Auch das trainierte "
        "Modell antwortet mit dem neuen Namen."
    ),
    "reset.empty": "Hier gibt es nichts zu löschen.",
    "reset.confirm": (
        "Alle {samples} Beispiele, {labels} Labels und die trainierten Modelle dieses Chats "
        "löschen? Die Trainingsparameter bleiben. Das lässt sich nicht rückgängig machen."
    ),
    "reset.yes": "Ja, alles löschen",
    "reset.no": "Nein, behalten",
    "reset.kept": "Es wurde nichts gelöscht.",
    "reset.training": "Hier läuft ein Training. Schick erst /stop, dann /reset.",
    "reset.done": (
        "{samples} Beispiele, {labels} Labels und {runs} Trainings mit ihren Modellen "
        "gelöscht. Jetzt antwortet wieder das eingebaute Modell."
    ),
    # /export and /import
    "export.empty": "Es gibt noch nichts zu exportieren: Dieser Chat hat keine Bilder.",
    "export.too_large": (
        "Der Export wäre {mb} MB groß, ich kann aber höchstens {limit} MB schicken. "
        "Entferne zuerst ein paar Bilder mit /delete."
    ),
    "export.caption": (
        "{images} Bilder, {labels} Labels. Schick dieses Zip mit der Bildunterschrift "
        "/import in einen beliebigen Chat, um sie dort hinzuzufügen."
    ),
    "import.zip_hint": (
        "Um die Bilder eines Zips von /export hinzuzufügen, schick es mit der "
        "Bildunterschrift /import."
    ),
    "import.usage": (
        "Schick eine Zip-Datei (etwa eine von /export) mit der Bildunterschrift /import, oder "
        "antworte mit /import darauf. Jeder Ordner mit Bildern darin ist ein Label; Bilder in "
        "unlabelled/ oder ganz oben bekommen keins."
    ),
    "import.download_failed": (
        "Ich konnte die Datei nicht von Telegram herunterladen. Schick sie bitte noch einmal."
    ),
    "import.not_a_zip": (
        "Die Datei ist kein Zip-Archiv, das ich lesen kann, deshalb wurde nichts importiert."
    ),
    "import.too_many_entries": (
        "Das Zip enthält {count} Dateien; in einen Chat passen höchstens {limit}. Es wurde "
        "nichts importiert."
    ),
    "import.too_big": (
        "Entpackt wäre das Zip zu groß (höchstens {entry_mb} MB pro Datei, {total_mb} MB "
        "insgesamt). Es wurde nichts importiert."
    ),
    "import.bomb": (
        "Das Zip ist viel stärker gepackt, als Bilder es je sind (eine Zip-Bombe?). Es wurde "
        "nichts importiert."
    ),
    "import.unsafe_name": (
        "Das Zip enthält „{name}“, und das ist keine einfache Datei in einem Ordner "
        "(ein absoluter Pfad, „..“, ein Backslash oder ein Link). Es wurde nichts importiert."
    ),
    "import.done": "{count} Bilder importiert.",
    "import.label_line": "• {label}: {count}",
    "import.unlabelled_line": "• ohne Label: {count}",
    "import.nothing_new": "Keine neuen Bilder importiert.",
    "import.already_here": "{count} übersprungen, die schon in diesem Chat sind.",
    "import.over_samples": "{count} passten nicht mehr: Ein Chat fasst höchstens {limit} Bilder.",
    "import.over_labels": "{count} passten nicht mehr: Ein Chat hat höchstens {limit} Labels.",
    "import.refused": "{count} abgelehnt:",
    "import.refused_line": "• {path}: {reason}",
    "import.train_hint": "Schick /train, um damit zu trainieren.",
    "import.why.bad_label": "sein Ordner ist kein gültiges Label (1–32 Buchstaben, Ziffern, - oder _)",
    "import.why.encrypted": "verschlüsselt",
    "import.why.damaged": "beschädigt oder auf eine Art gepackt, die ich nicht lesen kann",
    "import.why.empty": "leer",
    "import.why.not_an_image": "kein Bild",
    "import.why.unsupported_format": "nicht PNG, JPEG, WebP oder HEIC",
    "import.why.animated": "animiert",
    "import.why.too_many_pixels": "zu viele Pixel",
    "import.why.too_small": "zu klein",
    "import.why.extreme_aspect": "zu schmal",
    "import.why.corrupt": "beschädigtes Bild",
    "import.why.blank": "keine Zeichnung gefunden",
    "import.why.faint": "Striche zu schwach",
    "import.why.paper_only": "leeres Blatt Papier",
    # other messages
    "unknown_command": "{command} kenne ich nicht. /help zeigt, was ich kann.",
    "text_hint": (
        "Schick mir eine Zeichnung oder ein Foto von einem Smiley und beschrifte es dann "
        "mit /label <name>."
    ),
    "not_allowed": "Tut mir leid, dieser Bot ist privat.",
    "storage.full": (
        "Meine Festplatte ist voll, deshalb konnte ich das nicht speichern. Nichts, was du "
        "vorher geschickt hast, ist verloren. Bitte versuch es später noch einmal."
    ),
    "admin.only": "Nur die Admins dieser Gruppe können /{command} hier benutzen.",
    "admin.check_failed": (
        "Ich konnte nicht prüfen, ob du hier Admin bist. Bitte versuch es gleich noch einmal."
    ),
    "error": "Tut mir leid, bei mir ist etwas schiefgelaufen. Bitte versuch es noch einmal.",
    # --- pictures and /compare
    "cmd.samples": "Die Beispiele eines Labels zeigen, wie das Modell sie sieht",
    "cmd.compare": "dense, cnn und ein cnn vom eingebauten Modell vergleichen",
    "pictures.history_title": "So lief das Training",
    "pictures.history_loss": "Loss (niedriger ist besser)",
    "pictures.history_accuracy": "Genauigkeit (höher ist besser)",
    "pictures.history_epoch": "Epoche",
    "pictures.history_training": "Trainingsbeispiele",
    "pictures.history_validation": "Validierungsbeispiele",
    "pictures.history_best": "am besten: Epoche {epoch}",
    "pictures.confusion_title": "Konfusionsmatrix (Validierung)",
    "pictures.confusion_true": "richtiges Label",
    "pictures.confusion_predicted": "vorhergesagtes Label",
    "pictures.training_caption": "Oben: Loss und Genauigkeit pro Epoche, Trainings- gegen Validierungsbeispiele. Unten: die Konfusionsmatrix: Jede Zeile ist ein richtiges Label, jede Spalte das, was das Modell vorhergesagt hat.",
    "pictures.training_caption_folds": "Oben: Loss und Genauigkeit pro Epoche, Trainings- gegen Validierungsbeispiele, gemittelt über {folds} Durchläufe (das helle Band zeigt ihre Streuung). Unten: die Konfusionsmatrix: Jede Zeile ist ein richtiges Label, jede Spalte das, was das Modell vorhergesagt hat.",
    "pictures.best_line": "Die gestrichelte grüne Linie zeigt die Epoche, in der die Validierung am besten war. Steigt danach der Loss der Validierungsbeispiele, während der Loss der Trainingsbeispiele weiter sinkt, lernt das Modell seine Trainingszeichnungen auswendig, statt sie zu verstehen: Das nennt man Overfitting.",
    "pictures.misclassified": "{count} Validierungsbilder wurden falsch erkannt:",
    "pictures.misclassified_one": "1 Validierungsbild wurde falsch erkannt:",
    "pictures.misclassified_more": "{count} Validierungsbilder wurden falsch erkannt; hier sind {shown} davon ({hidden} nicht gezeigt).",
    "pictures.misclassified_none": "Kein Validierungsbild wurde falsch erkannt.",
    "pictures.misclassified_caption": "richtig: {true} → erkannt: {predicted}",
    "samples.usage": "Welches Label? /samples <Label> – siehe /labels.",
    "samples.unknown": "Hier gibt es kein Label „{label}“. Siehe /labels.",
    "samples.empty": "{label} hat noch keine Beispiele.",
    "samples.caption": "{label}: {count} Beispiele, so wie das Modell sie sieht (28×28).",
    "samples.caption_capped": "{label}: {count} Beispiele (die {shown} neuesten), so wie das Modell sie sieht (28×28).",
    "compare.queued": "Vergleich eingereiht: {ahead} vor deinem. Ich fange an, sobald ich kann.",
    "compare.starting": "Der Vergleich von dense, cnn und cnn vom eingebauten Modell beginnt …",
    "compare.progress_header": "Vergleiche {architectures} mit {samples} Beispielen: {labels}",
    "compare.progress_stage": "{architecture}, Validierungslauf {fold}/{folds}, Epoche {epoch}/{epochs}",
    "compare.finished": "Vergleich fertig nach {seconds} s. Das Modell, das antwortet, bleibt dasselbe.",
    "compare.result_kfold": "Validierungsgenauigkeit in denselben {folds} Validierungsläufen: {results}.",
    "compare.result_holdout": "Validierungsgenauigkeit mit denselben zurückgehaltenen Beispielen: {results}.",
    "compare.explain": "dense und cnn fangen bei null an, wie im Vortrag; das dritte startet mit dem, was mein eingebautes Modell an Tausenden Smileys gelernt hat.",
    "compare.variant.dense": "dense",
    "compare.variant.cnn": "cnn",
    "compare.variant.cnn-pretrained": "cnn vom eingebauten Modell",
    "compare.chart_title": "Validierungsgenauigkeit mit denselben Validierungsbeispielen",
    "compare.chart_axis": "Validierungsgenauigkeit in %",
    "compare.failed": "Vergleich fehlgeschlagen: {reason}",
    "compare.stopped": "Vergleich abgebrochen: {reason}",
    "compare.interrupted": "Vergleich unterbrochen: {reason}",
    "compare.model_unchanged": "Das Modell, das antwortet, bleibt dasselbe.",
    "compare.reason_restart": "der Bot wurde neu gestartet. Schick /compare, um neu anzufangen.",
    # --- corrections and /stats
    "cmd.stats": "Beispiele pro Person und pro Label",
    "fix.stored": "Als {label} gespeichert.",
    "fix.stored_line": "✅ Als {label} gespeichert",
    "fix.stored_line_by": "✅ Von {name} als {label} gespeichert",
    "fix.already": "Schon als {label} gespeichert.",
    "fix.gone": "Dieses Bild ist nicht mehr gespeichert.",
    "fix.gone_line": "🗑 Dieses Bild wurde gelöscht.",
    "fix.label_gone": "Dieses Label gibt es hier nicht mehr. Tippe auf ein anderes oder nimm /label.",
    "fix.too_many_labels": (
        "Dieser Chat hat schon {limit} Labels, mehr gehen nicht. Tippe auf eins davon "
        "oder lösch eins mit /delete <label>."
    ),
    "fix.retrain_offer": (
        "Du hast seit dem letzten Training {count} Beispiele durch Antippen hinzugefügt. "
        "Noch mal trainieren?"
    ),
    "fix.retrain_offer_one": (
        "Du hast seit dem letzten Training 1 Beispiel durch Antippen hinzugefügt. Noch mal trainieren?"
    ),
    "fix.retrain_button": "Jetzt trainieren",
    "stats.empty": (
        "Noch keine beschrifteten Beispiele. Schick einen Smiley mit der Bildunterschrift "
        "/label fröhlich."
    ),
    "stats.contributors": "Beispiele pro Person:",
    "stats.labels": "Beispiele pro Label:",
    "stats.line": "• {name}: {count}",
    "stats.line_validated": "• {name}: {count} (Validierung: {right} von {validated} richtig)",
    "stats.validated_hint": (
        "In Klammern: wie viele Zeichnungen der Person das letzte Training richtig erkannt"
        " hat, ohne sie vorher gesehen zu haben. Deutlich weniger bei einer Person heißt: Das"
        " Modell hat den Stil der anderen gelernt."
    ),
    "stats.others": "• {people} weitere: {count}",
    "stats.imported": "importiert",
    "stats.unknown_user": "Nutzer {id}",
    "stats.total": "Beschriftete Beispiele insgesamt: {count}",
    # --- /export model
    "export.usage": (
        "/export schickt die Bilder dieses Chats als Zip, /export model sein trainiertes Modell."
    ),
    "export.model_none": (
        "Dieser Chat hat noch kein trainiertes Modell zum Exportieren: Trainiere zuerst eins "
        "mit /train. Bis dahin antwortet das eingebaute Modell, "
        "und das wird nicht exportiert."
    ),
    "export.model_missing": (
        "Die Dateien des Modells dieses Chats sind weg. Schick /train, um es neu zu trainieren."
    ),
    "export.model_too_large": (
        "Das Modell ist {mb} MB groß, ich kann aber höchstens {limit} MB pro Datei schicken."
    ),
    "export.model_caption": (
        "Das Modell dieses Chats, trainiert mit {samples} Beispielen. Seine Labels in der "
        "Reihenfolge der Ausgabe: {labels}"
    ),
    "export.model_outdated": "Die Beispiele haben sich seitdem geändert: /train bringt es auf den neuesten Stand.",
    "export.model_howto": (
        "Um damit eine Zeichnung genau wie ich zu erkennen, führ diesen Python-Code in einer "
        "Kopie meines Quellcodes aus (dem Repository dieses Bots, mit installierten "
        "Abhängigkeiten): Dessen model/serving/preprocess.py bereitet Bilder fürs Training und für "
        "die Erkennung gleich auf."
    ),
    "export.model_step_prepare": "1. Bereite die Zeichnung {drawing} vor:",
    "export.model_step_keras": "2. Erkenne sie mit Keras ({file}):",
    "export.model_step_tflite": "Oder mit LiteRT ({file}), ohne TensorFlow:",
    "export.model_step_show": "3. Zeig die Labels an, das wahrscheinlichste zuerst:",
    # --- drawing
    "cmd.draw": "Einen Smiley auf einer Zeichenfläche zeichnen",
    "draw.button": "✏️ Smiley zeichnen",
    "draw.open": (
        "Tippe unten auf „✏️ Smiley zeichnen“, um die Zeichenfläche zu öffnen. Zeichne los und "
        "tippe dann auf Erkennen, um zu hören, was ich sehe, oder auf ein Label, um die Zeichnung "
        "darunter zu speichern."
    ),
    "draw.private_only": (
        "Telegram erlaubt den Zeichen-Knopf nur in privaten Chats. Öffne einen Chat mit mir "
        "(@{bot}) und schick dort /draw."
    ),
    "draw.not_configured": (
        "Die Zeichenfläche ist für diesen Bot nicht eingeschaltet: Wer ihn betreibt, trägt in "
        "der Konfiguration unter [webapp] url die öffentliche https://-Adresse der Seite ein. "
        "Bis dahin schick mir einfach ein Foto einer Zeichnung. (Die lokale Testversion im "
        "Browser, der Playground, hat die Zeichenfläche schon eingebaut.)"
    ),
    "draw.stored": "Deine Zeichnung ist als {label} gespeichert.",
    "draw.not_stored": "Die Zeichnung wurde nicht gespeichert.",
    "draw.error.too_large": (
        "Die Zeichnung ist zu groß ({detail}): Telegram reicht höchstens 4096 Bytes weiter."
    ),
    "draw.error.not_json": (
        "Die Zeichnung kam verstümmelt an. Öffne die Zeichenfläche mit /draw noch mal und "
        "schick sie erneut."
    ),
    "draw.error.unknown_version": (
        "Die Zeichnung stammt aus einer anderen Version der Zeichenfläche ({detail}). Schließ "
        "sie, hol dir mit /draw eine frische und versuch es noch mal."
    ),
    "draw.error.bad_fields": (
        "In der Zeichnung fehlt etwas oder es steckt Unerwartetes drin ({detail}). Öffne die "
        "Zeichenfläche mit /draw noch mal und schick sie erneut."
    ),
    "draw.error.bad_action": (
        "Die Zeichnung verlangt etwas, das ich nicht kenne ({detail}): Bitte Erkennen oder ein "
        "Label."
    ),
    "draw.error.wrong_size": (
        "Die Zeichnung ist {detail} Pixel breit, die Zeichenfläche schickt aber 128. Öffne sie "
        "mit /draw noch mal."
    ),
    "draw.error.bad_base64": (
        "Das Bild in der Zeichnung ist beschädigt. Öffne die Zeichenfläche mit /draw noch mal "
        "und schick sie erneut."
    ),
    "draw.error.wrong_length": (
        "Das Bild in der Zeichnung hat die falsche Länge ({detail} statt 2048 Bytes). Öffne die "
        "Zeichenfläche mit /draw noch mal und schick sie erneut."
    ),
    "draw.error.blank": "Die Zeichnung ist leer. Zeichne erst einen Smiley und schick ihn dann.",
    "draw.error.no_label": "Welches Label? Schreib eins ins Feld, bevor du darauf tippst.",
    "draw.error.invalid_label": (
        "„{raw}“ ist kein gültiges Label: Nimm 1–32 Buchstaben, Ziffern, - oder _, keine "
        "Leerzeichen."
    ),
    "draw.error.invalid_label_hint": "„{raw}“ ist kein gültiges Label (keine Leerzeichen). Versuch es mit {hint}.",
    # Klassenprojekte (bot/classroom/)
    "class.only_groups": "/classroom funktioniert in einer Gruppe: Füge mich zur Gruppe deiner Klasse hinzu und schick es dort.",
    "class.started": (
        "🏫 Die Klasse ist gestartet! Alle öffnen diesen Link auf dem Handy (oder scannen den Code):\n"
        "{link}\n\n"
        "Dann zeichnet jede und jeder im eigenen Chat mit mir. Jede beschriftete Zeichnung kommt in "
        "den Datensatz dieser Klasse, und dort antwortet das Modell der Klasse. Unten seht ihr, "
        "was die Klasse schon gezeichnet hat. Wenn jedes Label bereit ist, schickt ein Admin hier /train.\n\n"
        "/classroom close lässt niemanden mehr neu beitreten, /classroom end keep (oder end delete) "
        "beendet die Klasse."
    ),
    "class.link_again": "🏫 Der Link der Klasse (oder scannt den Code):\n{link}",
    "class.closed_note": "Beitreten ist gerade geschlossen: /classroom open lässt neue Schülerinnen und Schüler herein.",
    "class.none": "Diese Gruppe hat keine Klasse. /classroom startet eine.",
    "class.opened": "Man kann wieder beitreten.",
    "class.closed": "Beitreten ist geschlossen: Niemand kann mehr neu dazukommen. /classroom open öffnet es wieder.",
    "class.end_usage": (
        "Klasse beenden und ihre Zeichnungen behalten (diese Gruppe kann weiter damit trainieren): "
        "/classroom end keep\nKlasse beenden und alle Zeichnungen für sie löschen: /classroom end delete"
    ),
    "class.ended_kept": "Die Klasse ist beendet. Ihr Link funktioniert nicht mehr. Ihre Zeichnungen bleiben bei dieser Gruppe.",
    "class.ended_deleted": "Die Klasse ist beendet. Ihr Link funktioniert nicht mehr. Gelöschte Zeichnungen für sie: {count}.",
    "class.remove_unknown": "In dieser Klasse heißt niemand {name}.",
    "class.remove_ambiguous": "Mehrere heißen {name}: Ich weiß nicht, wen du meinst.",
    "class.removed": "Die Zeichnungen von {name} ({count}) sind nicht mehr im Datensatz der Klasse. {name} behält sie im eigenen Chat.",
    "class.usage": (
        "/classroom – die Klasse starten oder ihren Link noch einmal zeigen\n"
        "/classroom close, /classroom open – Beitreten schließen oder öffnen\n"
        "/classroom remove <Vorname> – die Zeichnungen eines Kindes aus der Klasse nehmen\n"
        "/classroom end keep, /classroom end delete – die Klasse beenden"
    ),
    "class.tally_header": "🏫 Die Klasse · beigetreten: {pupils} · haben schon gezeichnet: {contributed}",
    "class.tally_line": "• {label}: {count}",
    "class.tally_empty": "Noch keine beschrifteten Zeichnungen. Jedes Label braucht {minimum}.",
    "class.tally_needs": "{label} braucht noch {missing}",
    "class.tally_two_labels": "Für /train: mindestens 2 Labels mit je {minimum} Zeichnungen.",
    "class.tally_ready": "Bereit: Ein Admin kann /train schicken.",
    "class.join_in_private": "Öffne den Link der Klasse auf deinem Handy: Beitreten geht in deinem eigenen Chat mit mir.",
    "class.joined": (
        "Willkommen in der Klasse, {name}! 🎉\n"
        "Zeichne Smileys auf Papier, fotografiere sie und schick mir die Fotos. Beschrifte jede "
        "Zeichnung: Schick sie mit der Bildunterschrift /label fröhlich (oder tippe unter meiner "
        "Vermutung auf das richtige Label). Deine beschrifteten Zeichnungen kommen in den "
        "Datensatz der Klasse. Die Klasse braucht mindestens 2 Labels mit je {minimum} "
        "Zeichnungen. Mit /leave verlässt du die Klasse."
    ),
    "class.already": "Du bist schon in dieser Klasse, {name}. Zeichne einfach weiter!",
    "class.code_unknown": "Diesen Klassencode kenne ich nicht. Frag deine Lehrerin oder deinen Lehrer nach dem Link.",
    "class.code_ended": "Diese Klasse ist beendet, darum funktioniert ihr Link nicht mehr. Frag nach einem neuen.",
    "class.code_closed": "Beitreten ist bei dieser Klasse geschlossen. Frag deine Lehrerin oder deinen Lehrer, ob sie es wieder öffnen.",
    "class.not_in_one": "Du bist in keiner Klasse.",
    "class.leave_ask": "Klasse verlassen? Was soll mit den Zeichnungen passieren, die du für sie gezeichnet hast?",
    "class.leave_keep": "Verlassen, meine Zeichnungen bleiben bei der Klasse",
    "class.leave_take": "Verlassen und meine Zeichnungen mitnehmen",
    "class.left_kept": "Du hast die Klasse verlassen. Deine Zeichnungen bleiben bei der Klasse. Ab jetzt bringst du deinem eigenen Modell etwas bei.",
    "class.left_took": "Du hast die Klasse verlassen und deine Zeichnungen mitgenommen ({count}). Ab jetzt bringst du deinem eigenen Modell etwas bei.",
    # Arbeitsblätter (bot/samples/worksheets.py)
    "sheet.instruction": "Zeichne in jedes Kästchen einen Smiley, wie das Label seiner Zeile. Fotografiere das ganze Blatt.",
    "sheet.blank_label": "Label:",
    "sheet.file_name": "smiley-arbeitsblatt.pdf",
    "sheet.caption": (
        "Dein Arbeitsblatt, Zeilen: {labels}. Druck es in Originalgröße (100 %) aus, zeichne in "
        "jedes Kästchen einen Smiley und schick mir ein Foto vom ganzen Blatt: Ich speichere "
        "jede Zeichnung unter dem Label ihrer Zeile. Halte das Handy gerade über das Blatt, "
        "sodass alle vier schwarzen Quadrate in den Ecken auf dem Foto sind."
    ),
    "sheet.stored": "📄 Von deinem Arbeitsblatt habe ich {count} Zeichnungen gespeichert:",
    "sheet.nothing_stored": "📄 Ich habe dein Arbeitsblatt gefunden, aber alle Kästchen sind leer.",
    "sheet.stored_line": "• {label}: {count}",
    "sheet.stored_unlabelled": "• ohne Label (die Zeile hatte keins): {count}. Antworte jeweils mit /label <name>, um sie zu beschriften.",
    "sheet.empty": "Leere Kästchen: {count}",
    "sheet.duplicates": "Von diesem Foto schon vorher gespeichert: {count}",
    "sheet.unreadable": "Kästchen, die ich nicht lesen konnte (Zeile.Kästchen): {boxes}",
    "sheet.no_sheet": "Ich finde das Arbeitsblatt auf diesem Foto nicht. Fotografiere das ganze Blatt von oben.",
    "sheet.markers_missing": "Ich sehe das schwarze Quadrat in der Ecke {corners} nicht. Mach das Foto noch einmal, mit allen vier Ecken darauf.",
    "sheet.too_small": "Das Arbeitsblatt ist auf diesem Foto zu klein. Geh mit dem Handy näher heran, bis das Blatt das Bild ausfüllt.",
    "sheet.too_blurred": "Dieses Foto vom Arbeitsblatt ist zu unscharf. Halte das Handy ruhig und mach es noch einmal.",
    "sheet.corner.top-left": "oben links",
    "sheet.corner.top-right": "oben rechts",
    "sheet.corner.bottom-right": "unten rechts",
    "sheet.corner.bottom-left": "unten links",
}
