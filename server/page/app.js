// Podium: the attendees' page. It speaks the attendee role of the websocket protocol
// (docs/protocol.md) on the server that served it. Every text from the server is put
// in the page as text (textContent, text nodes), never as HTML.
"use strict";
(function () {
  // --- texts -----------------------------------------------------------------
  const T = {
    da: {
      skip_to_ask: "Gå til “Spørg panelet”", nav_label: "Sider", room_label: "Sal", day_label: "Dag",
      tab_now: "Nu", tab_ask: "Spørg panelet", tab_votes: "Stem", tab_programme: "Program",
      tab_practical: "Praktisk", now: "Nu", next: "Næste", loading: "Henter programmet …",
      announcement: "Meddelelse", question_label: "Dit spørgsmål", who_legend: "Hvem spørger?",
      anonymous: "Spørg anonymt (uden navn og organisation)", name_label: "Navn (frivilligt)",
      org_label: "Organisation (frivilligt)", send_question: "Send spørgsmål",
      your_questions: "Dine spørgsmål", vote_heading: "Stem på spørgsmål",
      vote_help: "Én stemme pr. spørgsmål; tryk igen for at fortryde.",
      language: "Sprog", theme: "Farver", theme_auto: "Som enheden", theme_light: "Lyse",
      theme_dark: "Mørke", theme_contrast: "Høj kontrast",
      connecting: "Forbinder …", online: "Forbundet", offline: "Ingen forbindelse – prøver igen …",
      heard: "Sidst hørt fra serveren kl. {time}.",
      ask_to: "Dit spørgsmål går til: {title}",
      ask_closed: "Der er ikke åbnet for spørgsmål lige nu. Du kan stemme på de godkendte spørgsmål.",
      ask_offline: "Du er ikke forbundet: dit spørgsmål venter her og sendes, når forbindelsen er tilbage.",
      count: "{n} af {max} tegn", count_over: "{n} tegn for meget (højst {max}) – kort det ned; intet skæres af.",
      empty: "Skriv dit spørgsmål først.",
      sent_ok: "Tak! Dit spørgsmål er modtaget.",
      queued: "Dit spørgsmål er ikke sendt endnu: det sendes af sig selv, når forbindelsen er tilbage.",
      no_own: "Du har ikke stillet spørgsmål endnu.", no_public: "Ingen godkendte spørgsmål endnu.",
      my_unsent: "ikke sendt endnu", my_pending: "modtaget – venter på moderator",
      my_approved: "godkendt – andre kan stemme", my_on_screen: "på skærmen nu",
      my_answered: "besvaret", my_rejected: "ikke udvalgt", edited: "redigeret",
      withdraw: "Træk tilbage", to_item: "til: {title}",
      votes_1: "1 stemme", votes_n: "{n} stemmer", vote: "Stem", unvote: "Fjern stemme",
      vote_label: "Stem på: {text}", unvote_label: "Fjern din stemme fra: {text}",
      anonymous_asker: "anonym", on_screen_mark: "På skærmen nu",
      live_mark: "● NU", details: "Detaljer", insights: "Du får indblik i:",
      expected: "forventet {time}", left: "{d} tilbage", over: "{d} over tid",
      before: "Dagen begynder {time}", starts_in: "om {d}", after: "Dagens program er slut. Tak for i dag!",
      pause_until: "{title} – vi starter igen {time}", between: "Næste punkt begynder {time}",
      nothing_next: "Ikke flere punkter i dag.", moderator: "Moderator: {name}",
      status_now: "Dit spørgsmål er på skærmen nu.", status_approved: "Dit spørgsmål er godkendt.",
      status_answered: "Dit spørgsmål er besvaret.", status_rejected: "Dit spørgsmål blev ikke udvalgt.",
      new_announcement: "Meddelelse: {text}", back_online: "Forbindelsen er tilbage.",
      lost: "Forbindelsen er væk – siden prøver igen af sig selv.",
      h: "{h} t.", hm: "{h} t. {m} min.", m: "{m} min.", s: "{s} sek.",
      tomorrow_at: "i morgen kl. {time}", weekday_at: "{day} kl. {time}", date_at: "{date} kl. {time}",
    },
    en: {
      skip_to_ask: "Skip to “Ask the panel”", nav_label: "Sections", room_label: "Room", day_label: "Day",
      tab_now: "Now", tab_ask: "Ask the panel", tab_votes: "Vote", tab_programme: "Programme",
      tab_practical: "Practical", now: "Now", next: "Next", loading: "Loading the programme …",
      announcement: "Announcement", question_label: "Your question", who_legend: "Who is asking?",
      anonymous: "Ask anonymously (no name or organisation)", name_label: "Name (optional)",
      org_label: "Organisation (optional)", send_question: "Send question",
      your_questions: "Your questions", vote_heading: "Vote on questions",
      vote_help: "One vote per question; press again to undo.",
      language: "Language", theme: "Colours", theme_auto: "Like the device", theme_light: "Light",
      theme_dark: "Dark", theme_contrast: "High contrast",
      connecting: "Connecting …", online: "Connected", offline: "No connection – trying again …",
      heard: "Last heard from the server at {time}.",
      ask_to: "Your question goes to: {title}",
      ask_closed: "Questions are not open right now. You can vote on the approved questions.",
      ask_offline: "You are not connected: your question waits here and goes when the connection is back.",
      count: "{n} of {max} characters", count_over: "{n} characters too many (at most {max}) – shorten it; nothing is cut.",
      empty: "Write your question first.",
      sent_ok: "Thank you! Your question has been received.",
      queued: "Your question is not sent yet: it goes by itself when the connection is back.",
      no_own: "You have not asked anything yet.", no_public: "No approved questions yet.",
      my_unsent: "not sent yet", my_pending: "received – waiting for the moderator",
      my_approved: "approved – open for votes", my_on_screen: "on the screen now",
      my_answered: "answered", my_rejected: "not selected", edited: "edited",
      withdraw: "Withdraw", to_item: "to: {title}",
      votes_1: "1 vote", votes_n: "{n} votes", vote: "Vote", unvote: "Remove vote",
      vote_label: "Vote for: {text}", unvote_label: "Remove your vote from: {text}",
      anonymous_asker: "anonymous", on_screen_mark: "On the screen now",
      live_mark: "● NOW", details: "Details", insights: "You will learn about:",
      expected: "expected {time}", left: "{d} left", over: "{d} over time",
      before: "The day begins {time}", starts_in: "in {d}", after: "Today's programme has ended. Thank you!",
      pause_until: "{title} – we start again at {time}", between: "The next item begins {time}",
      nothing_next: "No more items today.", moderator: "Moderator: {name}",
      status_now: "Your question is on the screen now.", status_approved: "Your question was approved.",
      status_answered: "Your question was answered.", status_rejected: "Your question was not selected.",
      new_announcement: "Announcement: {text}", back_online: "The connection is back.",
      lost: "The connection is gone – the page tries again by itself.",
      h: "{h} h", hm: "{h} h {m} min", m: "{m} min", s: "{s} s",
      tomorrow_at: "tomorrow at {time}", weekday_at: "on {day} at {time}", date_at: "on {date} at {time}",
    },
  };
  const STORE = "podium:";
  const RETRY = new Set(["rate_limited", "storage_error", "internal_error", "address_limit", "too_many_questions"]);
  const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
  const PING_MS = 15000;
  // Refusals of the hello: trying again would be refused again.
  const FATAL = new Set(["bad_hello", "protocol_version", "unknown_room", "bad_token"]);
  const SILENT_MS = 45000;

  const $ = (id) => document.getElementById(id);
  const load = (key, fallback) => {
    try {
      const raw = localStorage.getItem(STORE + key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  };
  const save = (key, value) => {
    try {
      localStorage.setItem(STORE + key, JSON.stringify(value));
    } catch (e) { /* private mode or full: the page still works, without memory */ }
  };

  // --- what the page knows ---------------------------------------------------------
  const params = new URLSearchParams(location.search);
  const browserLang = (navigator.language || "da").toLowerCase().startsWith("da") ? "da" : "en";
  const S = {
    lang: params.get("lang") === "en" || params.get("lang") === "da" ? params.get("lang") : load("lang", browserLang),
    theme: load("theme", "auto"),
    room: params.get("room") || load("room", null),
    clientId: load("client_id", null),
    profile: load("profile", { name: "", organisation: "", anonymous: false }),
    outbox: load("outbox", []), // [{id, name, args}] commands sent until acked
    draft: load("draft", ""),
    state: null, revision: -1, mine: [], voted: new Set(),
    limits: { question_max_chars: 280, name_max_chars: 80 },
    offsetMs: 0, // server time − this device's time
    ws: null, online: false, attempt: 0, timers: {},
    // Several servers on one database (welcome.servers): the page moves to the next one at
    // once when its server goes away, and waits only after trying them all.
    servers: [], at: 0, tries: 0,
    lastHeard: load("heard", null) ? new Date(load("heard", null)) : null,
    inflight: new Set(), // vote commands waiting for their answer
    fatal: null, // the server refused the hello: say why, do not try again
    statuses: null, // own questions' statuses last seen (to announce changes)
    announced: null,
  };
  if (!T[S.lang]) S.lang = "da";

  const t = (key, vars) => {
    let text = (T[S.lang] && T[S.lang][key]) || T.da[key] || key;
    if (vars) for (const k of Object.keys(vars)) text = text.split("{" + k + "}").join(String(vars[k]));
    return text;
  };

  function el(tag, opts, ...children) {
    const node = document.createElement(tag);
    if (opts) {
      if (opts.cls) node.className = opts.cls;
      if (opts.attrs) for (const k of Object.keys(opts.attrs)) node.setAttribute(k, opts.attrs[k]);
      if (opts.on) for (const k of Object.keys(opts.on)) node.addEventListener(k, opts.on[k]);
    }
    for (const c of children) {
      if (c === null || c === undefined || c === "") continue;
      node.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }
  const fill = (node, ...children) => { node.replaceChildren(...children.filter((c) => c)); };

  // --- time ------------------------------------------------------------------------
  const serverNow = () => new Date(Date.now() + S.offsetMs);
  const tz = () => (S.state && S.state.event && S.state.event.timezone) || "Europe/Copenhagen";
  function hm(iso) {
    const d = iso instanceof Date ? iso : new Date(iso);
    const parts = new Intl.DateTimeFormat("en-GB", { timeZone: tz(), hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(d);
    const h = parts.find((p) => p.type === "hour").value;
    const m = parts.find((p) => p.type === "minute").value;
    return S.lang === "da" ? h + "." + m : h + ":" + m;
  }
  const at = (iso) => (S.lang === "da" ? "kl. " + hm(iso) : hm(iso));
  // The day of a moment in the event's time zone, as YYYY-MM-DD.
  const dayOf = (d) => new Intl.DateTimeFormat("en-CA", { timeZone: tz(), year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  // When, said from the server's now: "kl. 10.00" today, "i morgen kl. 10.00", a weekday, a date.
  function when(iso, short) {
    const d = new Date(iso);
    const days = Math.round((Date.parse(dayOf(d)) - Date.parse(dayOf(serverNow()))) / 86400000);
    if (days === 0) return short || S.lang === "da" ? at(d) : "at " + at(d);
    if (days === 1) return t("tomorrow_at", { time: hm(d) });
    const locale = S.lang === "da" ? "da-DK" : "en-GB";
    if (days > 1 && days < 7) {
      const day = new Intl.DateTimeFormat(locale, { timeZone: tz(), weekday: "long" }).format(d);
      return t("weekday_at", { day, time: hm(d) });
    }
    const date = new Intl.DateTimeFormat(locale, { timeZone: tz(), weekday: "long", day: "numeric", month: "long" }).format(d);
    return t("date_at", { date, time: hm(d) });
  }
  const span = (a, b) => (S.lang === "da" ? "kl. " + hm(a) + "–" + hm(b) : hm(a) + "–" + hm(b));
  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return t("s", { s: seconds });
    const minutes = Math.ceil(seconds / 60);
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    if (!h) return t("m", { m });
    return m ? t("hm", { h, m }) : t("h", { h });
  }
  function dateLine(iso) {
    try {
      return new Intl.DateTimeFormat(S.lang === "da" ? "da-DK" : "en-GB", { timeZone: tz(), weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(new Date(iso + "T12:00:00"));
    } catch (e) {
      return iso;
    }
  }

  // --- the connection ----------------------------------------------------------------
  function wsUrl() {
    const own = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    if (!Array.isArray(S.servers) || S.servers.length < 2) return own;
    return S.servers[S.at % S.servers.length] || own;
  }

  function connect() {
    clearTimeout(S.timers.retry);
    setConn("connecting");
    let ws;
    try {
      ws = new WebSocket(wsUrl());
    } catch (e) {
      retry();
      return;
    }
    S.ws = ws;
    ws.addEventListener("open", () => {
      const hello = { type: "hello", protocol: 1, role: "attendee", lang: S.lang };
      if (S.clientId) hello.client_id = S.clientId;
      if (S.room) hello.room = S.room;
      ws.send(JSON.stringify(hello));
    });
    ws.addEventListener("message", (ev) => {
      if (ws !== S.ws) return;
      heard();
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (msg && typeof msg === "object") receive(msg);
    });
    ws.addEventListener("close", () => {
      if (ws !== S.ws) return;
      S.ws = null;
      const was = S.online;
      S.online = false;
      S.inflight.clear();
      if (S.fatal) {
        const fatal = S.fatal;
        S.fatal = null;
        if (fatal.code === "unknown_room" && !params.get("room") && S.room) {
          S.room = null; // a room remembered from another programme: the first room, then
          save("room", null);
          connect();
          return;
        }
        setConn("offline");
        $("conn-text").textContent = fatal.message || fatal.code;
        return;
      }
      setConn("offline");
      if (was) say(t("lost"));
      renderAsk();
      renderPublic();
      if (S.servers.length > 1) {
        S.at = (S.at + 1) % S.servers.length;
        S.tries += 1;
        if (S.tries % S.servers.length) {
          connect(); // the next server at once
          return;
        }
      }
      retry();
    });
  }

  function retry() {
    const base = BACKOFF_MS[Math.min(S.attempt, BACKOFF_MS.length - 1)];
    S.attempt += 1;
    S.timers.retry = setTimeout(connect, base / 2 + Math.random() * base / 2);
  }

  function heard() {
    S.lastHeard = new Date();
    renderHeard();
    if (!S.timers.heard) { // at most every few seconds to storage
      S.timers.heard = setTimeout(() => { S.timers.heard = null; save("heard", S.lastHeard.getTime()); }, 5000);
    }
  }

  function send(obj) {
    if (!S.ws || S.ws.readyState !== WebSocket.OPEN) return false;
    S.ws.send(JSON.stringify(obj));
    return true;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function flushOutbox() {
    if (!S.online) return;
    for (const cmd of S.outbox) send({ type: "command", id: cmd.id, name: cmd.name, args: cmd.args });
  }

  function receive(msg) {
    switch (msg.type) {
      case "welcome":
        if (typeof msg.client_id === "string") {
          S.clientId = msg.client_id;
          save("client_id", S.clientId);
        }
        if (msg.limits) S.limits = Object.assign({}, S.limits, msg.limits);
        if (Array.isArray(msg.servers) && msg.servers.every((u) => typeof u === "string" && /^wss?:\/\//.test(u))) {
          const here = S.servers[S.at % Math.max(1, S.servers.length)];
          S.servers = msg.servers.slice(0, 16);
          S.at = Math.max(0, S.servers.indexOf(here));
        }
        S.tries = 0;
        setOffset(msg.server_time);
        break;
      case "snapshot":
        if (!msg.state || typeof msg.state !== "object") return;
        S.state = msg.state;
        S.revision = msg.revision;
        setOffset(S.state.clock);
        if (!S.online) {
          const back = S.attempt > 0 && S.lastOnline;
          S.online = true;
          S.attempt = 0;
          S.lastOnline = true;
          setConn("online");
          if (back) say(t("back_online"));
          flushOutbox();
        }
        renderAll();
        break;
      case "update":
        if (!S.state || typeof msg.revision !== "number") return;
        if (msg.revision <= S.revision) return; // old news
        if (msg.base !== S.revision) {
          send({ type: "resync" });
          return;
        }
        Object.assign(S.state, msg.state || {});
        if (msg.patch && msg.patch.questions) patchQuestions(msg.patch.questions);
        S.revision = msg.revision;
        if (msg.state && msg.state.clock) setOffset(msg.state.clock);
        renderAll();
        break;
      case "mine":
        S.mine = Array.isArray(msg.questions) ? msg.questions : [];
        S.voted = new Set(Array.isArray(msg.voted) ? msg.voted : []);
        announceStatuses();
        renderMine();
        renderPublic();
        break;
      case "ack":
        answered(msg, null);
        break;
      case "error":
        if (msg.id) answered(msg, msg);
        else if (FATAL.has(msg.code)) S.fatal = msg;
        break;
      default:
        break; // pong and anything newer: heard is enough
    }
  }

  function setOffset(iso) {
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) S.offsetMs = ms - Date.now();
  }

  function patchQuestions(patch) {
    const list = Array.isArray(S.state.questions) ? S.state.questions : [];
    const byId = new Map(list.map((q) => [q.id, q]));
    for (const q of patch.upsert || []) byId.set(q.id, q);
    for (const id of patch.remove || []) byId.delete(id);
    S.state.questions = Array.from(byId.values()).sort(
      (a, b) => (b.votes - a.votes) || (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0) || (a.id < b.id ? -1 : 1),
    );
  }

  function answered(msg, error) {
    const i = S.outbox.findIndex((c) => c.id === msg.id);
    if (i >= 0) {
      const cmd = S.outbox[i];
      if (error && RETRY.has(error.code)) {
        showError(error.message || error.code);
        clearTimeout(S.timers.outbox);
        S.timers.outbox = setTimeout(flushOutbox, 30000);
        return;
      }
      S.outbox.splice(i, 1);
      save("outbox", S.outbox);
      if (error) {
        showError(error.message || error.code);
        const box = $("q-text");
        if (!box.value.trim()) {
          box.value = cmd.args.text || "";
          saveDraft();
        }
      } else {
        showError("");
        say(t("sent_ok"));
        $("q-error").textContent = "";
      }
      renderMine();
      return;
    }
    if (S.inflight.has(msg.id)) {
      S.inflight.delete(msg.id);
      if (error) say(error.message || error.code);
      renderPublic();
    }
  }

  // --- asking --------------------------------------------------------------------
  function saveDraft() {
    S.draft = $("q-text").value;
    save("draft", S.draft);
    renderCount();
  }

  function saveProfile() {
    S.profile = { name: $("q-name").value, organisation: $("q-org").value, anonymous: $("q-anon").checked };
    save("profile", S.profile);
    $("q-name").disabled = S.profile.anonymous;
    $("q-org").disabled = S.profile.anonymous;
  }

  function length(text) {
    return Array.from(text).length; // characters, as the server counts them
  }

  function submit(ev) {
    ev.preventDefault();
    const text = $("q-text").value.trim();
    const max = S.limits.question_max_chars;
    if (!text) {
      showError(t("empty"));
      $("q-text").focus();
      return;
    }
    if (length(text) > max) {
      showError(t("count_over", { n: length(text) - max, max }));
      $("q-text").focus();
      return;
    }
    const args = { text };
    if (!S.profile.anonymous) {
      const name = $("q-name").value.trim();
      const org = $("q-org").value.trim();
      if (name) args.name = name;
      if (org) args.organisation = org;
    }
    const cmd = { id: newId(), name: "submit_question", args, item: targetTitle() };
    S.outbox.push(cmd);
    save("outbox", S.outbox);
    $("q-text").value = "";
    saveDraft();
    showError("");
    if (S.online) send({ type: "command", id: cmd.id, name: cmd.name, args: cmd.args });
    else say(t("queued"));
    renderMine();
  }

  function withdraw(id) {
    S.outbox = S.outbox.filter((c) => c.id !== id);
    save("outbox", S.outbox);
    renderMine();
  }

  function showError(text) {
    $("q-error").textContent = text;
  }

  function targetItem() {
    const st = S.state;
    if (!st || !st.question_target) return null;
    return (st.programme || []).find((i) => i.id === st.question_target) || (st.current && st.current.id === st.question_target ? st.current : null);
  }
  const targetTitle = () => (targetItem() ? targetItem().title : "");

  function vote(q) {
    const voted = S.voted.has(q.id);
    const id = newId();
    if (!send({ type: "command", id, name: voted ? "unvote" : "vote", args: { question_id: q.id } })) return;
    S.inflight.add(id);
    renderPublic();
  }

  // --- rendering -----------------------------------------------------------------
  function setConn(state) {
    const box = $("conn");
    box.dataset.state = state;
    $("conn-text").textContent = t(state);
  }

  function renderHeard() {
    $("heard").textContent = S.lastHeard ? t("heard", { time: hm(S.lastHeard) }) : "";
  }

  function say(text) {
    const region = $("say");
    region.textContent = "";
    setTimeout(() => { region.textContent = text; }, 50);
  }

  function applyTexts() {
    document.documentElement.lang = S.lang;
    for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
    for (const node of document.querySelectorAll("[data-t-aria-label]")) node.setAttribute("aria-label", t(node.dataset.tAriaLabel));
    $("lang").value = S.lang;
    $("theme").value = S.theme;
    document.documentElement.dataset.theme = S.theme;
    setConn($("conn").dataset.state);
  }

  function renderAll() {
    renderHeader();
    renderAnnouncement();
    renderNow();
    renderAsk();
    renderMine();
    renderPublic();
    renderProgramme();
    renderPractical();
    renderHeard();
  }

  function renderHeader() {
    const ev = S.state.event || {};
    $("event-title").textContent = ev.title || "Podium";
    document.title = ev.title ? ev.title + " · Podium" : "Podium";
    const rooms = ev.rooms || [];
    const room = rooms.find((r) => r.id === S.state.room);
    // Several rooms: the attendee picks the one she sits in (now, next, questions, votes).
    const pick = $("room");
    $("room-pick").hidden = rooms.length < 2;
    if (rooms.length > 1 && pick.options.length !== rooms.length) {
      fill(pick, ...rooms.map((r) => el("option", { attrs: { value: r.id } }, r.name || r.id)));
    }
    if (rooms.length > 1) pick.value = S.state.room;
    $("event-where").textContent = [room ? room.name : "", ev.date ? dateLine(ev.date) : ""].filter((x) => x).join(" · ");
  }

  function activeMessage() {
    const m = S.state && S.state.hall_message;
    if (!m || !m.text) return null;
    if (m.expires_at && Date.parse(m.expires_at) <= serverNow().getTime()) return null;
    return m;
  }

  function renderAnnouncement() {
    const m = activeMessage();
    $("announcement").hidden = !m;
    $("announcement-text").textContent = m ? m.text : "";
    const key = m ? m.text + "|" + m.set_at : null;
    if (m && S.announced !== null && key !== S.announced) say(t("new_announcement", { text: m.text }));
    S.announced = key || "";
  }

  function speakers(item) {
    return (item.speakers || []).map((s) => [s.name, s.role, s.organisation].filter((x) => x).join(", ")).join("; ");
  }

  function late(item) {
    return item.expected_start && item.start && Date.parse(item.expected_start) !== Date.parse(item.start);
  }

  function renderNow() {
    const st = S.state;
    const body = $("now-body");
    const now = serverNow().getTime();
    const cur = st.current;
    const first = (st.next || [])[0];
    if (st.phase === "live" && cur) {
      const end = Date.parse(cur.expected_end);
      const left = (end - now) / 1000;
      fill(
        body,
        el("p", { cls: "now-time" }, span(cur.expected_start, cur.expected_end)),
        el("p", { cls: "now-title" }, cur.title),
        speakers(cur) ? el("p", { cls: "muted" }, (S.lang === "da" ? "v. " : "") + speakers(cur)) : null,
        el("p", { cls: left < 0 ? "left over" : "left" }, left < 0 ? t("over", { d: duration(-left) }) : t("left", { d: duration(left) })),
      );
    } else if (st.phase === "break" && cur) {
      const resume = first ? first.expected_start : cur.expected_end;
      fill(body, el("p", { cls: "now-title" }, t("pause_until", { title: cur.title, time: at(resume) })), el("p", { cls: "left" }, duration((Date.parse(resume) - now) / 1000)));
    } else if (st.phase === "before" && first) {
      const left = (Date.parse(first.expected_start) - now) / 1000;
      fill(body, el("p", { cls: "now-title" }, t("before", { time: when(first.expected_start) })), left > 0 && left < 86400 ? el("p", { cls: "left" }, t("starts_in", { d: duration(left) })) : null);
    } else if (st.phase === "between" && first) {
      fill(body, el("p", { cls: "now-title" }, t("between", { time: when(first.expected_start) })));
    } else if (st.phase === "after") {
      fill(body, el("p", { cls: "now-title" }, t("after")));
    } else {
      fill(body, el("p", { cls: "muted" }, t("nothing_next")));
    }
    const list = $("next-list");
    const items = (st.next || []).slice(0, 3);
    fill(list, ...items.map((i) => el("li", null,
      el("span", { cls: "when" }, when(i.start, true)),
      i.title,
      late(i) ? el("span", { cls: "late" }, " (" + t("expected", { time: at(i.expected_start) }) + ")") : null)));
    if (!items.length) list.append(el("li", { cls: "muted" }, t("nothing_next")));
  }

  function renderCount() {
    const n = length($("q-text").value.trim());
    const max = S.limits.question_max_chars;
    const box = $("q-count");
    const over = n > max;
    box.textContent = over ? t("count_over", { n: n - max, max }) : t("count", { n, max });
    box.classList.toggle("over", over);
    $("q-text").setAttribute("aria-invalid", over ? "true" : "false");
  }

  function renderAsk() {
    const target = $("ask-target");
    const item = targetItem();
    if (!S.online && S.state === null) {
      target.textContent = t("ask_offline");
      target.className = "target closed";
    } else if (!S.online) {
      target.textContent = t("ask_offline");
      target.className = "target closed";
    } else if (item) {
      target.textContent = t("ask_to", { title: item.title });
      target.className = "target";
    } else {
      target.textContent = t("ask_closed");
      target.className = "target closed";
    }
    $("q-send").disabled = S.online && !item;
  }

  const STATUS = { pending: "my_pending", approved: "my_approved", on_screen: "my_on_screen", answered: "my_answered", rejected: "my_rejected" };
  const ANNOUNCE = { approved: "status_approved", on_screen: "status_now", answered: "status_answered", rejected: "status_rejected" };

  function announceStatuses() {
    const now = new Map(S.mine.map((q) => [q.id, q.status]));
    if (S.statuses) {
      for (const [id, status] of now) {
        if (S.statuses.get(id) !== status && ANNOUNCE[status] && S.statuses.has(id)) say(t(ANNOUNCE[status]));
      }
    }
    S.statuses = now;
  }

  function itemTitle(id) {
    const item = ((S.state && S.state.programme) || []).find((i) => i.id === id);
    return item ? item.title : "";
  }

  function votesText(n) {
    return n === 1 ? t("votes_1") : t("votes_n", { n });
  }

  function renderMine() {
    const list = $("mine");
    const rows = [];
    for (const cmd of S.outbox) {
      rows.push(el("li", { attrs: { "data-unsent": cmd.id } },
        el("div", { cls: "q-body" },
          el("p", { cls: "q-text" }, cmd.args.text),
          el("p", { cls: "q-meta" }, el("span", { cls: "status unsent" }, t("my_unsent")), cmd.item ? " · " + t("to_item", { title: cmd.item }) : "")),
        el("button", { attrs: { type: "button" }, on: { click: () => withdraw(cmd.id) } }, t("withdraw"))));
    }
    for (const q of S.mine) {
      const meta = [el("span", { cls: "status " + q.status }, t(STATUS[q.status] || "my_pending"))];
      if (q.edited) meta.push(" · " + t("edited"));
      if (q.status !== "pending" && q.status !== "rejected") meta.push(" · " + votesText(q.votes || 0));
      const title = itemTitle(q.item_id);
      if (title) meta.push(" · " + t("to_item", { title }));
      rows.push(el("li", { attrs: { "data-question": q.id } },
        el("div", { cls: "q-body" }, el("p", { cls: "q-text" }, q.text), el("p", { cls: "q-meta" }, ...meta))));
    }
    if (!rows.length) rows.push(el("li", { cls: "muted" }, t("no_own")));
    fill(list, ...rows);
  }

  function renderPublic() {
    const list = $("public");
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.vote : null;
    const questions = (S.state && S.state.questions) || [];
    const busy = S.inflight.size > 0;
    const rows = questions.map((q) => {
      const voted = S.voted.has(q.id);
      const asker = [q.name, q.organisation].filter((x) => x).join(", ") || t("anonymous_asker");
      const meta = [votesText(q.votes || 0), " · " + asker];
      if (q.status === "on_screen") meta.push(" · ", el("strong", null, t("on_screen_mark")));
      if (q.status === "answered") meta.push(" · " + t("my_answered"));
      const button = el("button", {
        attrs: {
          type: "button", "aria-pressed": voted ? "true" : "false", "data-vote": q.id,
          "aria-label": t(voted ? "unvote_label" : "vote_label", { text: q.text.length > 80 ? q.text.slice(0, 80) + "…" : q.text }),
        },
        on: { click: () => vote(q) },
      }, voted ? t("unvote") : t("vote"));
      if (!S.online || busy) button.disabled = true;
      return el("li", { attrs: { "data-question": q.id } },
        el("div", { cls: "q-body" }, el("p", { cls: "q-text" }, q.text), el("p", { cls: "q-meta votes" }, ...meta)),
        button);
    });
    if (!rows.length) rows.push(el("li", { cls: "muted" }, t("no_public")));
    fill(list, ...rows);
    if (focused) {
      const again = list.querySelector('[data-vote="' + CSS.escape(focused) + '"]');
      if (again) again.focus();
    }
  }

  function renderProgramme() {
    const st = S.state;
    const rooms = new Map(((st.event && st.event.rooms) || []).map((r) => [r.id, r.name || r.id]));
    // Every room's items, by time, each with its room when there are several; a
    // programme of several days shows one day at a time (today's first).
    const all = [...(st.programme || [])].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    const days = [...new Set(all.map((i) => dayOf(new Date(i.start))))];
    const pick = $("day");
    $("day-pick").hidden = days.length < 2;
    if (days.length > 1 && pick.options.length !== days.length) {
      const locale = S.lang === "da" ? "da-DK" : "en-GB";
      const name = (d) => {
        const parts = new Intl.DateTimeFormat(locale, { timeZone: "UTC", weekday: "long", day: "numeric", month: "long" }).formatToParts(new Date(d + "T12:00:00Z"));
        const part = (type) => (parts.find((p) => p.type === type) || { value: "" }).value;
        // As the hall writes it: "fredag den 3. oktober"; "Friday 3 October".
        return S.lang === "da" ? `${part("weekday")} den ${part("day")}. ${part("month")}` : `${part("weekday")} ${part("day")} ${part("month")}`;
      };
      fill(pick, ...days.map((d) => el("option", { attrs: { value: d } }, name(d))));
      const today = dayOf(serverNow());
      pick.value = days.includes(today) ? today : days[0];
    }
    const items = days.length > 1 ? all.filter((i) => dayOf(new Date(i.start)) === pick.value) : all;
    const expected = new Map();
    for (const i of [st.current, ...(st.next || [])]) if (i) expected.set(i.id, i);
    const open = new Set(Array.from(document.querySelectorAll("#programme-list details[open]"), (d) => d.dataset.item));
    fill($("programme-list"), ...items.map((i) => {
      const live = st.current && st.current.id === i.id && st.phase === "live";
      const exp = expected.get(i.id);
      const details = [];
      if (i.description) details.push(el("p", { cls: "desc" }, i.description));
      if (i.insights && i.insights.length) {
        details.push(el("p", null, el("strong", null, t("insights"))));
        details.push(el("ul", null, ...i.insights.map((x) => el("li", null, x))));
      }
      const box = details.length ? el("details", { attrs: { "data-item": i.id } }, el("summary", null, t("details")), ...details) : null;
      if (box && open.has(i.id)) box.open = true;
      return el("li", live ? { attrs: { "aria-current": "true" } } : null,
        el("p", null, live ? el("span", { cls: "live-mark" }, t("live_mark")) : null, el("span", { cls: "when" }, span(i.start, i.end)),
          exp && late(exp) ? el("span", { cls: "late" }, "(" + t("expected", { time: at(exp.expected_start) }) + ")") : null),
        el("p", { cls: "title" }, i.title),
        rooms.size > 1 ? el("p", { cls: "room-name" }, rooms.get(i.room) || rooms.values().next().value) : null,
        speakers(i) ? el("p", { cls: "muted" }, speakers(i)) : null,
        box);
    }));
    $("caveat").textContent = st.event && st.event.caveat ? "(" + st.event.caveat + ")" : "";
  }

  function renderPractical() {
    const ev = S.state.event || {};
    const lines = [ev.venue, ev.entrance, ...(ev.practical || [])].filter((x) => x);
    if (ev.moderator) lines.push(t("moderator", { name: ev.moderator }));
    fill($("practical-list"), ...lines.map((x) => el("li", null, x)));
  }

  function tick() {
    if (S.state) {
      renderNow();
      renderAnnouncement();
    }
    if (S.online && S.lastHeard && Date.now() - S.lastHeard.getTime() > SILENT_MS && S.ws) {
      S.ws.close(); // silent too long: the network is gone without telling us
    }
  }

  // --- start -----------------------------------------------------------------------
  function start() {
    applyTexts();
    $("q-text").value = S.draft;
    $("q-name").value = S.profile.name || "";
    $("q-org").value = S.profile.organisation || "";
    $("q-anon").checked = !!S.profile.anonymous;
    saveProfile();
    renderCount();
    renderAsk();
    renderMine();
    renderPublic();
    $("q-text").addEventListener("input", saveDraft);
    for (const id of ["q-name", "q-org", "q-anon"]) $(id).addEventListener("input", saveProfile);
    $("q-anon").addEventListener("change", saveProfile);
    $("ask-form").addEventListener("submit", submit);
    $("lang").addEventListener("change", () => {
      S.lang = $("lang").value === "en" ? "en" : "da";
      save("lang", S.lang);
      fill($("day")); // the days' names again, in the new language
      applyTexts();
      renderCount();
      if (S.state) renderAll();
      else { renderAsk(); renderMine(); renderPublic(); }
    });
    $("day").addEventListener("change", () => { if (S.state) renderProgramme(); });
    $("room").addEventListener("change", () => {
      const room = $("room").value;
      if (!room || (S.state && room === S.state.room)) return;
      S.room = room;
      save("room", room);
      const url = new URL(location.href);
      url.searchParams.set("room", room);
      history.replaceState(null, "", url);
      S.state = null;
      S.revision = -1;
      S.mine = [];
      S.attempt = 0;
      if (S.ws) S.ws.close(); // the close handler connects again, for the new room
      else connect();
    });
    $("theme").addEventListener("change", () => {
      S.theme = ["auto", "light", "dark", "contrast"].includes($("theme").value) ? $("theme").value : "auto";
      save("theme", S.theme);
      document.documentElement.dataset.theme = S.theme;
    });
    if (params.get("room")) save("room", S.room);
    setInterval(tick, 1000);
    setInterval(() => { if (S.online) send({ type: "ping" }); }, PING_MS);
    window.addEventListener("online", () => { if (!S.ws) { S.attempt = 0; connect(); } });
    connect();
  }

  start();
})();
