/*
 * The playground's web chat. Everything goes through the JSON API of the embedded fake
 * Telegram (bot/playground/web.py): what is typed, uploaded, tapped or drawn becomes what a
 * Telegram user does, and the page shows the chat as the server holds it.
 *
 * All text from the chat (the bot's replies, labels, file names) is put into the page with
 * textContent, never as HTML.
 */
(function () {
  "use strict";

  var TEXTS = {
    en: {
      mode: "Local playground · no Telegram: everything runs on this machine",
      mode_class: "Class · on the school network, no Telegram",
      hide_canvas: "Hide canvas",
      show_canvas: "Show canvas",
      offline: "The playground does not answer. Is it still running?",
      attach: "Send pictures",
      placeholder: "Write a message or /help",
      send: "Send",
      hint: "Tip: a picture takes the text box as its caption, e.g. /label smile",
      edited: "edited",
      drawing: "🎨 Drawing sent",
      file: "File",
      sending: "Sending…",
      failed: "Could not send: {error}",
    },
    de: {
      mode: "Lokaler Playground · ohne Telegram: alles läuft auf diesem Rechner",
      mode_class: "Klasse · im Schulnetz, ohne Telegram",
      hide_canvas: "Zeichenfläche ausblenden",
      show_canvas: "Zeichenfläche zeigen",
      offline: "Der Playground antwortet nicht. Läuft er noch?",
      attach: "Bilder senden",
      placeholder: "Schreib eine Nachricht oder /help",
      send: "Senden",
      hint: "Tipp: Ein Bild nimmt den Text im Eingabefeld als Bildunterschrift, z. B. /label smile",
      edited: "bearbeitet",
      drawing: "🎨 Zeichnung gesendet",
      file: "Datei",
      sending: "Wird gesendet …",
      failed: "Senden ging nicht: {error}",
    },
  };
  var POLL_SECONDS = 20;
  var RETRY_MS = 1000;
  var TOAST_MS = 4000;

  var language = "en";
  var revision = 0;
  var labelsKey = "";
  var list = document.getElementById("messages");
  var frame = document.getElementById("canvas-frame");
  var textInput = document.getElementById("text");
  var fileInput = document.getElementById("file");
  var keyboard = document.getElementById("keyboard");
  var toast = document.getElementById("toast");
  var offline = document.getElementById("offline");
  var toastTimer = null;

  function text(key, values) {
    return TEXTS[language][key].replace(/\{(\w+)\}/g, function (_, name) {
      return values && name in values ? values[name] : "";
    });
  }

  function applyTexts() {
    document.documentElement.lang = language;
    document.querySelectorAll("[data-text]").forEach(function (node) {
      node.textContent = text(node.dataset.text);
    });
    document.querySelectorAll("[data-placeholder]").forEach(function (node) {
      node.setAttribute("placeholder", text(node.dataset.placeholder));
    });
    document.querySelectorAll("[data-language]").forEach(function (node) {
      node.setAttribute("aria-pressed", String(node.dataset.language === language));
    });
    updateCanvasToggle();
  }

  // --- talking to the server ---------------------------------------------------------------

  function api(path, options) {
    return fetch(path, options).then(function (response) {
      return response.json().then(
        function (body) {
          if (!response.ok || body.ok === false) {
            throw new Error(body.error || response.statusText);
          }
          return body;
        },
        function () { throw new Error(response.statusText || "no answer"); }
      );
    });
  }

  function post(path, body) {
    return api(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  function showToast(message, problem) {
    toast.textContent = message;
    toast.classList.toggle("problem", Boolean(problem));
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, TOAST_MS);
  }

  function poll() {
    api("/api/events?after=" + revision + "&wait=" + POLL_SECONDS)
      .then(function (result) {
        offline.hidden = true;
        revision = result.revision;
        result.messages.forEach(showMessage);
        if ("keyboard" in result) showKeyboard(result.keyboard);
        if (result.messages.length || "keyboard" in result) refreshLabels();
        poll();
      })
      .catch(function () {
        offline.hidden = false;
        setTimeout(poll, RETRY_MS);
      });
  }

  // --- messages ----------------------------------------------------------------------------

  // Telegram's entity offsets count UTF-16 code units, as JavaScript strings do.
  function formatted(value, entities) {
    var fragment = document.createDocumentFragment();
    var cuts = [0, value.length];
    (entities || []).forEach(function (e) { cuts.push(e.offset, e.offset + e.length); });
    cuts = cuts
      .filter(function (n, i, all) { return all.indexOf(n) === i && n <= value.length; })
      .sort(function (a, b) { return a - b; });
    for (var i = 0; i + 1 < cuts.length; i++) {
      var start = cuts[i];
      var end = cuts[i + 1];
      var node = document.createTextNode(value.slice(start, end));
      (entities || []).forEach(function (e) {
        if (e.offset <= start && end <= e.offset + e.length) node = wrap(node, e);
      });
      fragment.appendChild(node);
    }
    return fragment;
  }

  var TAGS = {
    bold: "strong", italic: "em", underline: "u", strikethrough: "s", code: "code",
    pre: "pre", spoiler: "span", blockquote: "blockquote", expandable_blockquote: "blockquote",
  };

  function wrap(node, entity) {
    var element;
    if (entity.type === "text_link" && /^https?:\/\//i.test(entity.url || "")) {
      element = document.createElement("a");
      element.href = entity.url;
      element.target = "_blank";
      element.rel = "noopener noreferrer";
    } else if (TAGS[entity.type]) {
      element = document.createElement(TAGS[entity.type]);
      if (entity.type === "spoiler") element.className = "spoiler";
    } else {
      return node;
    }
    element.appendChild(node);
    return element;
  }

  function build(message) {
    var item = document.createElement("li");
    item.className = "message " + (message.sender === "bot" ? "from-bot" : "from-user");
    item.dataset.id = String(message.id);
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    item.appendChild(bubble);
    if (message.photo) {
      var link = document.createElement("a");
      link.href = message.photo.url;
      link.target = "_blank";
      link.rel = "noopener";
      var image = document.createElement("img");
      image.src = message.photo.url;
      image.alt = message.caption || "";
      image.loading = "lazy";
      if (message.photo.width && message.photo.height) {
        image.width = message.photo.width;
        image.height = message.photo.height;
      }
      link.appendChild(image);
      bubble.appendChild(link);
    }
    if (message.file) {
      var file = document.createElement("a");
      file.className = "file";
      file.href = message.file.url;
      file.setAttribute("download", message.file.name);
      file.textContent = "📄 " + message.file.name;
      bubble.appendChild(file);
    }
    if (message.web_app_data) {
      var drawing = document.createElement("p");
      drawing.className = "service";
      drawing.textContent = text("drawing");
      bubble.appendChild(drawing);
    }
    var body = message.text !== undefined ? message.text : message.caption;
    if (body) {
      var paragraph = document.createElement("p");
      paragraph.className = "text";
      paragraph.appendChild(
        formatted(body, message.text !== undefined ? message.entities : message.caption_entities)
      );
      bubble.appendChild(paragraph);
    }
    var meta = document.createElement("div");
    meta.className = "meta";
    if (message.reactions && message.reactions.length) {
      var reactions = document.createElement("span");
      reactions.className = "reactions";
      reactions.textContent = message.reactions.join(" ");
      meta.appendChild(reactions);
    }
    if (message.edited) {
      var edited = document.createElement("span");
      edited.className = "edited";
      edited.textContent = text("edited");
      meta.appendChild(edited);
    }
    if (message.date) {
      var time = document.createElement("time");
      time.textContent = new Date(message.date * 1000).toLocaleTimeString([], {
        hour: "2-digit", minute: "2-digit",
      });
      meta.appendChild(time);
    }
    bubble.appendChild(meta);
    if (message.buttons) item.appendChild(inlineKeyboard(message));
    return item;
  }

  function inlineKeyboard(message) {
    var rows = document.createElement("div");
    rows.className = "inline-keyboard";
    message.buttons.forEach(function (row) {
      var line = document.createElement("div");
      line.className = "row";
      row.forEach(function (button) {
        var element;
        if (button.url && /^https?:\/\//i.test(button.url)) {
          element = document.createElement("a");
          element.href = button.url;
          element.target = "_blank";
          element.rel = "noopener noreferrer";
        } else {
          element = document.createElement("button");
          element.type = "button";
          element.disabled = button.data === null || button.data === undefined;
          element.addEventListener("click", function () { press(message.id, button.data, element); });
        }
        element.className = "inline-button";
        element.textContent = button.text;
        line.appendChild(element);
      });
      rows.appendChild(line);
    });
    return rows;
  }

  function press(messageId, data, element) {
    element.disabled = true;
    post("/api/press", { message_id: messageId, data: data })
      .then(function (result) {
        var answer = result.answer;
        if (answer && answer.text) showToast(answer.text, answer.show_alert);
      })
      .catch(function (error) { showToast(error.message, true); })
      .then(function () { element.disabled = false; });
  }

  function nearBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function showMessage(message) {
    var stick = nearBottom();
    var old = list.querySelector('li[data-id="' + message.id + '"]');
    if (message.deleted) {
      if (old) old.remove();
      return;
    }
    var item = build(message);
    if (old) {
      old.replaceWith(item);
    } else {
      // Ids only grow within a chat, so a new message goes after every smaller id.
      var next = Array.prototype.find.call(list.children, function (child) {
        return Number(child.dataset.id) > message.id;
      });
      list.insertBefore(item, next || null);
    }
    if (message.media_group_id) item.dataset.album = message.media_group_id;
    if (stick || message.sender === "user") list.scrollTop = list.scrollHeight;
  }

  // --- the reply keyboard (e.g. /draw's button) and the canvas ------------------------------

  function showKeyboard(markup) {
    keyboard.textContent = "";
    keyboard.hidden = !markup;
    if (!markup) return;
    markup.keyboard.forEach(function (row) {
      var line = document.createElement("div");
      line.className = "row";
      row.forEach(function (button) {
        var label = typeof button === "string" ? button : button.text;
        var element = document.createElement("button");
        element.type = "button";
        element.className = "keyboard-button";
        element.textContent = label;
        element.addEventListener("click", function () {
          if (button.web_app) {
            // In Telegram this button opens the canvas as a Mini App; here it is beside us.
            setCanvasVisible(true);
            refreshLabels();
            frame.scrollIntoView({ behavior: "smooth", block: "start" });
          } else {
            sendText(label);
          }
        });
        line.appendChild(element);
      });
      keyboard.appendChild(line);
    });
  }

  function refreshLabels() {
    return api("/api/labels").then(function (result) {
      var key = result.labels.join(",") + "|" + language;
      // A new URL reloads the canvas (and wipes a drawing): only when its labels or
      // language really changed.
      if (key === labelsKey) return;
      labelsKey = key;
      var query = new URLSearchParams({ labels: result.labels.join(","), lang: language });
      frame.src = "/webapp/draw.html?" + query.toString();
    }).catch(function () { /* the next poll tries again */ });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || event.origin !== window.location.origin) return;
    var data = event.data && event.data.smileyDrawing;
    if (typeof data !== "string") return;
    post("/api/web_app_data", { data: data }).catch(function (error) {
      showToast(text("failed", { error: error.message }), true);
    });
  });

  function setCanvasVisible(visible) {
    document.body.classList.toggle("canvas-hidden", !visible);
    updateCanvasToggle();
  }

  function updateCanvasToggle() {
    var hidden = document.body.classList.contains("canvas-hidden");
    var toggle = document.getElementById("toggle-canvas");
    toggle.textContent = text(hidden ? "show_canvas" : "hide_canvas");
    toggle.setAttribute("aria-expanded", String(!hidden));
  }

  // --- sending -----------------------------------------------------------------------------

  function sendText(value) {
    return post("/api/send", { text: value }).catch(function (error) {
      showToast(text("failed", { error: error.message }), true);
      throw error;
    });
  }

  function sendPictures(files, caption) {
    var form = new FormData();
    Array.prototype.forEach.call(files, function (file) { form.append("file", file); });
    if (caption) form.append("caption", caption);
    showToast(text("sending"));
    return api("/api/upload", { method: "POST", body: form }).then(
      function () { toast.hidden = true; },
      function (error) {
        showToast(text("failed", { error: error.message }), true);
        throw error;
      }
    );
  }

  document.getElementById("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = textInput.value.trim();
    if (!value) return;
    sendText(value).then(function () { textInput.value = ""; }, function () {});
  });

  fileInput.addEventListener("change", function () {
    if (!fileInput.files.length) return;
    var caption = textInput.value.trim();
    sendPictures(fileInput.files, caption).then(
      function () { textInput.value = ""; },
      function () {}
    ).then(function () { fileInput.value = ""; });
  });

  document.querySelectorAll("[data-language]").forEach(function (button) {
    button.addEventListener("click", function () {
      var wanted = button.dataset.language;
      post("/api/language", { language: wanted }).then(function (result) {
        language = result.language;
        applyTexts();
        refreshLabels();
      }, function (error) { showToast(error.message, true); });
    });
  });

  document.getElementById("toggle-canvas").addEventListener("click", function () {
    setCanvasVisible(document.body.classList.contains("canvas-hidden"));
  });

  // --- start -------------------------------------------------------------------------------

  api("/api/state")
    .then(function (state) {
      language = TEXTS[state.language] ? state.language : "en";
      if (state.classroom && !state.teacher) {
        document.querySelectorAll('[data-text="mode"]').forEach(function (node) {
          node.dataset.text = "mode_class";
        });
      }
    })
    .catch(function () {})
    .then(function () {
      applyTexts();
      refreshLabels();
      poll();
      textInput.focus();
    });
})();
