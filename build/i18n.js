// The form's language, chosen before the wasm arrives so its words download
// alongside it, and the form rendered ahead handed over to the live one.
// build/post-build.mjs puts this inline in the head of every copy of
// index.html and at the head of embed.js, with the list of languages filled
// in from i18n/*.json. The app (src/i18n.rs) reads what it leaves on the
// mount element.

// [code, its own name, dir, the page's title, the menu's label, the
// catalog's file], English first
const conferenceFormLanguages = __LANGUAGES__;
// The page's remembered choice: a cookie (not a secret), so our server
// picks the same copy of the page as this does.
const conferenceFormCookie = "conference-form-language";

// The language for the words in `wanted` (data-lang, say), then the
// remembered choice, then the browser's languages: each by whole tag, then
// by base (pt-BR: pt); English if none has a catalog.
function conferenceFormChoice(...wanted) {
  const pick = (tag) => {
    tag = String(tag).toLowerCase();
    const base = tag.split("-")[0];
    return (conferenceFormLanguages.find(([code]) => code.toLowerCase() === tag) ||
      conferenceFormLanguages.find(([code]) => code === base) || [])[0];
  };
  let stored = null;
  try {
    stored = document.cookie.match(new RegExp(`(?:^|; )${conferenceFormCookie}=([\\w-]+)`));
  } catch {} // no cookies in a sandboxed frame: nothing remembered
  return [...wanted, stored?.[1], ...(navigator.languages || [navigator.language])]
    .filter(Boolean).map(pick).find(Boolean) || "en";
}

// The standalone page, from the head of each copy: a static host sends
// everyone index.html (English), so a visitor of another language moves to
// that language's copy before anything is drawn (our server sends the
// right copy at once: the same choice from the cookie and Accept-Language).
// Only from one of the build's copies (`/`, index.html, index.<lang>.html):
// a page the operator made of one, with settings of its own, stays itself.
function conferenceFormCopy() {
  const lang = conferenceFormChoice();
  if (lang === document.documentElement.lang || !/\/(index(\.[\w-]+)?\.html)?$/.test(location.pathname)) return;
  const copy = new URL(lang === "en" ? "index.html" : `index.${lang}.html`, location.href);
  copy.search = location.search;
  copy.hash = location.hash;
  location.replace(copy);
}

function conferenceFormLanguage(el, catalogs) {
  // The visitor's, as the head script and our server chose the page's copy
  // (a page of the operator's own may be in another: its early form then
  // gives way to one in the visitor's language).
  const lang = conferenceFormChoice(el.dataset.lang);
  const text = (url) =>
    fetch(url)
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status))))
      .catch((e) => {
        console.warn(`conference form: no words from ${url} (${e.message}); using the built-in ones`);
        return null;
      });
  // [the language's catalog, the operator's words]; English is built in.
  const load = (lang) =>
    Promise.all([
      lang === "en" ? null : text(new URL(conferenceFormLanguages.find(([code]) => code === lang)[5], catalogs)),
      el.dataset.messages
        ? text(new URL(el.dataset.messages.replace("{lang}", lang), document.baseURI))
        : null,
    ]);
  el.conferenceFormI18n = {
    lang,
    languages: conferenceFormLanguages,
    texts: load(lang),
    load,
    remember: (lang) => {
      try {
        document.cookie = `${conferenceFormCookie}=${lang}; path=/; max-age=31536000; samesite=lax`;
      } catch {} // cookies blocked: the choice is just not remembered
    },
  };
  conferenceFormTakeover(el);
}

// What a person typed, ticked, chose and opened in a form, by control id,
// and where the focus and the caret were: a form drawn anew gets it back.
const conferenceFormProp = (c) => (c.type === "checkbox" ? "checked" : "value");
function conferenceFormSnapshot(root) {
  const a = document.activeElement;
  return {
    values: [...root.querySelectorAll("input[id], select[id]")].map((c) => [c.id, c[conferenceFormProp(c)]]),
    open: [...root.querySelectorAll("details[id]")].map((d) => [d.id, d.open]),
    focus: root.contains(a) && a.id,
    caret: [a.selectionStart, a.selectionEnd], // null where there is no caret
  };
}
function conferenceFormRestore(root, { values, open, focus, caret }) {
  const byId = (id) => root.querySelector(`[id="${id}"]`);
  for (const [id, isOpen] of open) {
    const d = byId(id);
    if (d && isOpen) d.open = true;
  }
  for (const [id, value] of values) {
    const c = byId(id);
    if (c && c.type !== "hidden" && !c.readOnly && c[conferenceFormProp(c)] !== value) {
      c[conferenceFormProp(c)] = value;
      // The live form learns of it as of a person's change (input, then
      // change, as a browser sends both: the app hears a box's ticking as
      // input, a list's choice as change), and checks what was left (the
      // focused control is still being typed in).
      for (const type of ["input", "change"]) c.dispatchEvent(new Event(type, { bubbles: true }));
      if (id !== focus) c.dispatchEvent(new Event("blur"));
    }
  }
  const f = focus ? byId(focus) : null; // `false`, or "" for a control without an id: nothing to focus
  f?.focus();
  try {
    f.setSelectionRange(...caret);
  } catch {} // a date, a number or a list has no caret to put back
}

// The form rendered ahead (`.cf` in `el` before the wasm runs, marked
// data-early) takes typing at once. When the live form is drawn beside it,
// everything typed there moves over and the early form goes, in the same
// frame: nothing flashes, nothing moves. A submit before then (Enter, the
// create button) is held, shown as busy, and made on the live form as soon
// as it is there: the click is not lost, and the early form, whose method is
// post, never sends what was typed anywhere itself.
function conferenceFormTakeover(el) {
  const early = el.querySelector(":scope > .cf:not([data-early])");
  if (!early) return;
  early.dataset.early = "";
  let held = false;
  early.addEventListener("submit", (e) => {
    e.preventDefault();
    held = true;
    e.target.setAttribute("aria-busy", "true");
    // The button and the status region say so, in the form's words.
    const button = e.target.querySelector("[data-busy]");
    const status = early.querySelector("#cf-status");
    if (button) button.textContent = status.textContent = button.dataset.busy;
  });
  const watch = new MutationObserver(() => {
    const live = el.querySelector(":scope > .cf:not([data-early])");
    if (!live) return;
    watch.disconnect();
    const kept = conferenceFormSnapshot(early);
    early.remove();
    conferenceFormRestore(live, kept);
    const form = live.querySelector("form");
    // Safari before 16 has no requestSubmit: the button's click submits too.
    if (held) form.requestSubmit ? form.requestSubmit() : form.querySelector("[type=submit]").click();
  });
  watch.observe(el, { childList: true });
}
