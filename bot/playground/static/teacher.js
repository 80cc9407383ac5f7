/*
 * The teacher's page: the class's group chat (chat.js shows it, as for any chat), and above
 * it what pupils need to join (the address and the PIN) and a button that sends /train to
 * the group as the teacher. chat.js switches the language; this follows <html lang>.
 */
(function () {
  "use strict";

  var TEXTS = {
    en: {
      mode: "Teacher page · the class's group chat",
      join_at: "Pupils open",
      pin: "PIN",
      pupils: "Pupils:",
      train: "Train the class model",
      hint: "/set epochs 10 sets the training; /classroom close stops new pupils joining",
    },
    de: {
      mode: "Seite für die Lehrkraft · der Gruppenchat der Klasse",
      join_at: "Adresse für die Klasse:",
      pin: "PIN",
      pupils: "Schülerinnen und Schüler:",
      train: "Modell der Klasse trainieren",
      hint: "/set epochs 10 stellt das Training ein; nach /classroom close kann niemand mehr dazukommen",
    },
  };
  var REFRESH_MS = 3000;

  function applyTexts() {
    var language = TEXTS[document.documentElement.lang] ? document.documentElement.lang : "en";
    document.querySelectorAll("[data-class-text]").forEach(function (node) {
      node.textContent = TEXTS[language][node.dataset.classText];
    });
  }

  function refresh() {
    fetch("/api/class").then(function (response) { return response.json(); }).then(function (state) {
      if (!state.ok) return;
      document.getElementById("pin").textContent = state.pin;
      document.getElementById("join-url").textContent = state.join_url;
      document.getElementById("pupils").textContent = state.pupils.length
        ? state.pupils.length + " (" + state.pupils.join(", ") + ")" : "0";
    }).catch(function () { /* chat.js says when the playground is gone */ });
  }

  document.getElementById("train").addEventListener("click", function () {
    fetch("/api/send", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: "/train" }),
    });
  });

  // The bot's /classroom answer carries a Telegram link and its QR code, which lead pupils
  // to Telegram, not here: the page's own code and PIN stand in for it.
  var messages = document.getElementById("messages");
  new MutationObserver(function () {
    Array.prototype.forEach.call(messages.children, function (item) {
      if (!item.hidden && item.textContent.indexOf("https://t.me/") !== -1) item.hidden = true;
    });
  }).observe(messages, { childList: true, subtree: true });

  new MutationObserver(applyTexts).observe(document.documentElement, {
    attributes: true, attributeFilter: ["lang"],
  });
  applyTexts();
  refresh();
  setInterval(refresh, REFRESH_MS);
})();
