/*
 * The classroom's join page (bot/playground/web.py, POST /api/join): the PIN and a first
 * name become the pupil's own chat with the bot, and the session cookie the server sets
 * (HttpOnly: this script never sees it). Then the page reloads into the chat.
 */
(function () {
  "use strict";

  var TEXTS = {
    en: {
      mode: "Class · on the school network, no Telegram",
      title: "Join the class",
      intro: "Your teacher shows the PIN. Type it and your first name.",
      pin: "PIN",
      name: "Your first name",
      join: "Join",
      wrong: "That PIN is not right. Look again at what your teacher shows.",
      too_many: "Too many wrong PINs. Wait a minute, then try again.",
      bad_name: "Type your first name (at most 32 letters).",
      full: "The class is full. Ask your teacher.",
      starting: "The class is just starting. Try again in a few seconds.",
      offline: "The class does not answer. Is your teacher's computer still on?",
    },
    de: {
      mode: "Klasse · im Schulnetz, ohne Telegram",
      title: "Mach mit in der Klasse",
      intro: "Deine Lehrerin oder dein Lehrer zeigt dir die PIN. Tipp sie ein und deinen Vornamen.",
      pin: "PIN",
      name: "Dein Vorname",
      join: "Mitmachen",
      wrong: "Die PIN stimmt nicht. Schau noch mal genau hin.",
      too_many: "Zu oft die falsche PIN. Warte eine Minute und versuch es dann noch mal.",
      bad_name: "Tipp deinen Vornamen ein (höchstens 32 Zeichen).",
      full: "Die Klasse ist voll. Frag deine Lehrerin oder deinen Lehrer.",
      starting: "Die Klasse startet gerade. Versuch es in ein paar Sekunden noch mal.",
      offline: "Die Klasse antwortet nicht. Ist der Computer vorne noch an?",
    },
  };
  var REASONS = { wrong: "wrong", too_many: "too_many", name: "bad_name", full: "full", starting: "starting" };

  var language = (navigator.language || "en").toLowerCase().indexOf("de") === 0 ? "de" : "en";
  var problem = document.getElementById("problem");

  function applyTexts() {
    document.documentElement.lang = language;
    document.querySelectorAll("[data-join-text]").forEach(function (node) {
      node.textContent = TEXTS[language][node.dataset.joinText];
    });
    document.querySelectorAll("[data-join-language]").forEach(function (node) {
      node.setAttribute("aria-pressed", String(node.dataset.joinLanguage === language));
    });
  }

  function say(key) {
    problem.textContent = TEXTS[language][key];
    problem.hidden = false;
  }

  document.querySelectorAll("[data-join-language]").forEach(function (button) {
    button.addEventListener("click", function () {
      language = button.dataset.joinLanguage;
      applyTexts();
    });
  });

  document.getElementById("join").addEventListener("submit", function (event) {
    event.preventDefault();
    problem.hidden = true;
    var body = {
      pin: document.getElementById("pin").value.trim(),
      name: document.getElementById("name").value.trim(),
      language: language,
    };
    fetch("/api/join", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (result) {
        if (response.ok && result.ok) {
          window.location.replace("/");
        } else {
          say(REASONS[result.reason] || "offline");
        }
      });
    }).catch(function () { say("offline"); });
  });

  applyTexts();
  // The teacher's QR code carries the PIN after '#', which never reaches the server.
  var given = /^#pin=(\d+)$/.exec(window.location.hash);
  if (given) {
    document.getElementById("pin").value = given[1];
    history.replaceState(null, "", window.location.pathname);
    document.getElementById("name").focus();
  } else {
    document.getElementById("pin").focus();
  }
})();
