/* The drawing canvas: pen, eraser, undo, clear and stroke width; mouse, touch and pen.
 *
 * The page reads the chat's labels (?labels=smile,sad) and its language (?lang=de) from its
 * URL. "Predict" or "Label as ..." sends the drawing (encoding.js) to the bot:
 * - inside Telegram, through Telegram.WebApp.sendData, which closes the Mini App;
 * - elsewhere (the playground's web chat embeds the page in an iframe), as
 *   window.parent.postMessage({smileyDrawing: data}, "*").
 * Telegram's script is loaded only inside Telegram, so the page needs nothing external. */
(function () {
  "use strict";

  var TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js";
  var MAX_LABELS = 20;
  var LABEL_MAX_LENGTH = 32;
  var PAPER = "#ffffff";
  var INK = "#000000";

  var TEXTS = {
    en: {
      title: "Draw a smiley",
      canvas: "Drawing area: draw a smiley with your finger, pen or mouse",
      tools: "Drawing tools",
      pen: "Pen",
      eraser: "Eraser",
      undo: "Undo",
      clear: "Clear",
      width: "Stroke width",
      predict: "Predict",
      labels: "Label the drawing",
      label_as: "Label as {label}",
      new_label: "New label",
      label_new: "Label as this",
      empty: "Draw something first: the canvas is empty.",
      no_label: "Type a label first, e.g. smile.",
      too_long: "That label is too long: at most 32 characters.",
      too_large: "That drawing is too large to send. Please use a shorter label.",
      sent: "Sent to the chat. Draw the next one!",
      standalone: "Open this page with /draw in Telegram or in the playground to send drawings.",
      no_telegram: "Telegram's connection is not available. Close this and send /draw again.",
    },
    de: {
      title: "Mal einen Smiley",
      canvas: "Zeichenfläche: Mal einen Smiley mit dem Finger, Stift oder der Maus",
      tools: "Zeichenwerkzeuge",
      pen: "Stift",
      eraser: "Radierer",
      undo: "Rückgängig",
      clear: "Löschen",
      width: "Strichstärke",
      predict: "Erkennen",
      labels: "Zeichnung beschriften",
      label_as: "Als {label} speichern",
      new_label: "Neues Label",
      label_new: "Unter diesem Label speichern",
      empty: "Mal zuerst etwas: Die Fläche ist noch leer.",
      no_label: "Gib zuerst ein Label ein, z. B. smile.",
      too_long: "Das Label ist zu lang: höchstens 32 Zeichen.",
      too_large: "Die Zeichnung ist zu groß zum Senden. Nimm bitte ein kürzeres Label.",
      sent: "An den Chat geschickt. Mal gleich den nächsten!",
      standalone:
        "Öffne diese Seite mit /draw in Telegram oder im Playground, um Zeichnungen zu senden.",
      no_telegram: "Die Verbindung zu Telegram fehlt. Schließ das hier und sende /draw noch mal.",
    },
  };

  var params = new URLSearchParams(window.location.search);
  var lang = (params.get("lang") || "en").slice(0, 2).toLowerCase();
  if (!TEXTS[lang]) lang = "en";
  var texts = TEXTS[lang];

  function text(key, values) {
    return texts[key].replace(/\{(\w+)\}/g, function (_, name) {
      return values && name in values ? values[name] : "";
    });
  }

  // Telegram opens a Mini App with #tgWebAppVersion=...&tgWebAppPlatform=... in its URL,
  // and its mobile apps add TelegramWebviewProxy. A keyboard-button app gets no initData,
  // so that cannot tell us where we are.
  function insideTelegram() {
    return Boolean(window.TelegramWebviewProxy) || /[#&]tgWebApp\w+=/.test(window.location.hash);
  }

  var canvas = document.getElementById("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var note = document.getElementById("note");
  var widthInput = document.getElementById("width");
  var labelInput = document.getElementById("label-input");
  var strokes = []; // {erase, width, points: [[x, y], ...]}: the history undo walks back
  var current = null;
  var activePointer = null;
  var erasing = false;
  var telegram = null; // Telegram.WebApp, once loaded
  var sending = false;

  function applyTexts() {
    document.documentElement.lang = lang;
    document.title = text("title");
    document.querySelectorAll("[data-text]").forEach(function (node) {
      node.textContent = text(node.dataset.text);
    });
    document.querySelectorAll("[data-label]").forEach(function (node) {
      node.setAttribute("aria-label", text(node.dataset.label));
    });
    document.querySelectorAll("[data-placeholder]").forEach(function (node) {
      node.setAttribute("placeholder", text(node.dataset.placeholder));
    });
  }

  function chatLabels() {
    var seen = {};
    return (params.get("labels") || "")
      .split(",")
      .map(function (label) { return label.trim(); })
      .filter(function (label) {
        if (!label || label.length > LABEL_MAX_LENGTH || seen[label]) return false;
        seen[label] = true;
        return true;
      })
      .slice(0, MAX_LABELS);
  }

  function showLabelButtons() {
    var group = document.getElementById("labels");
    chatLabels().forEach(function (label) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = text("label_as", { label: label });
      button.dataset.drawLabel = label;
      button.addEventListener("click", function () { send(label); });
      group.appendChild(button);
    });
  }

  // --- drawing ------------------------------------------------------------------------------

  function paint(stroke) {
    context.strokeStyle = stroke.erase ? PAPER : INK;
    context.fillStyle = context.strokeStyle;
    context.lineWidth = stroke.width;
    context.lineCap = "round";
    context.lineJoin = "round";
    var points = stroke.points;
    if (points.length === 1) { // a tap leaves a dot
      context.beginPath();
      context.arc(points[0][0], points[0][1], stroke.width / 2, 0, 2 * Math.PI);
      context.fill();
      return;
    }
    context.beginPath();
    context.moveTo(points[0][0], points[0][1]);
    for (var i = 1; i < points.length; i++) context.lineTo(points[i][0], points[i][1]);
    context.stroke();
  }

  function redraw() {
    context.fillStyle = PAPER;
    context.fillRect(0, 0, canvas.width, canvas.height);
    strokes.forEach(paint);
    document.getElementById("undo").disabled = strokes.length === 0;
    document.getElementById("clear").disabled = strokes.length === 0;
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return [
      ((event.clientX - box.left) / box.width) * canvas.width,
      ((event.clientY - box.top) / box.height) * canvas.height,
    ];
  }

  function onDown(event) {
    if (activePointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    activePointer = event.pointerId;
    canvas.setPointerCapture(event.pointerId);
    current = { erase: erasing, width: Number(widthInput.value), points: [point(event)] };
    strokes.push(current);
    redraw();
    say("");
  }

  function onMove(event) {
    if (event.pointerId !== activePointer || current === null) return;
    event.preventDefault();
    // Coalesced events keep fast strokes smooth where the browser batches them.
    var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    (events.length ? events : [event]).forEach(function (each) {
      current.points.push(point(each));
    });
    redraw();
  }

  function onUp(event) {
    if (event.pointerId !== activePointer) return;
    activePointer = null;
    current = null;
  }

  function setTool(erase) {
    erasing = erase;
    document.getElementById("pen").setAttribute("aria-pressed", String(!erase));
    document.getElementById("eraser").setAttribute("aria-pressed", String(erase));
  }

  // --- sending ------------------------------------------------------------------------------

  function say(message, problem) {
    note.textContent = message;
    note.classList.toggle("problem", Boolean(problem));
  }

  function send(label) {
    if (sending) return;
    var encoding = window.SmileyEncoding;
    var pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    var bits = encoding.downsample(pixels, canvas.width, encoding.DRAWING_SIZE);
    if (!encoding.hasInk(bits)) {
      say(text("empty"), true);
      return;
    }
    var data = encoding.encodeDrawing(bits, label || "");
    if (encoding.byteLength(data) > encoding.DATA_LIMIT) {
      say(text("too_large"), true);
      return;
    }
    if (insideTelegram()) {
      if (!telegram) {
        say(text("no_telegram"), true);
        return;
      }
      sending = true;
      telegram.sendData(data); // Telegram closes the Mini App
      return;
    }
    if (window.parent === window) {
      say(text("standalone"), true);
      return;
    }
    window.parent.postMessage({ smileyDrawing: data }, "*");
    strokes = [];
    redraw();
    labelInput.value = "";
    say(text("sent"));
  }

  function sendNewLabel(event) {
    event.preventDefault();
    var label = labelInput.value.trim();
    if (!label) {
      say(text("no_label"), true);
      labelInput.focus();
      return;
    }
    if (label.length > LABEL_MAX_LENGTH) {
      say(text("too_long"), true);
      return;
    }
    send(label); // the bot checks the naming rule and answers in the chat
  }

  function loadTelegram() {
    var script = document.createElement("script");
    script.src = TELEGRAM_SCRIPT;
    script.onload = function () {
      telegram = window.Telegram && window.Telegram.WebApp;
      if (!telegram) return;
      telegram.ready();
      telegram.expand();
    };
    script.onerror = function () { say(text("no_telegram"), true); };
    document.head.appendChild(script);
  }

  // --- start --------------------------------------------------------------------------------

  applyTexts();
  showLabelButtons();
  canvas.addEventListener("pointerdown", onDown);
  canvas.addEventListener("pointermove", onMove);
  canvas.addEventListener("pointerup", onUp);
  canvas.addEventListener("pointercancel", onUp);
  document.getElementById("pen").addEventListener("click", function () { setTool(false); });
  document.getElementById("eraser").addEventListener("click", function () { setTool(true); });
  document.getElementById("undo").addEventListener("click", function () {
    strokes.pop();
    redraw();
  });
  document.getElementById("clear").addEventListener("click", function () {
    strokes = [];
    redraw();
  });
  document.getElementById("predict").addEventListener("click", function () { send(""); });
  document.getElementById("new-label").addEventListener("submit", sendNewLabel);
  redraw();
  if (insideTelegram()) loadTelegram();
})();
