// The form's language, chosen before the wasm arrives so its words download
// alongside it. build/post-build.mjs puts this inline in index.html and at
// the head of embed.js, with the list of languages filled in from i18n/*.json. The app
// (src/i18n.rs) reads what it leaves on the mount element.
function conferenceFormLanguage(el, catalogs) {
  // [code, its own name, dir, the page's title, the menu's label, the
  // catalog's file], English first
  const languages = __LANGUAGES__;
  const key = "conference-form-language"; // the menu's choice: not a secret
  const stored = () => {
    try {
      return localStorage.getItem(key);
    } catch {
      return null; // storage blocked: the choice is just not remembered
    }
  };
  // data-lang (the host knows its user) wins, then the menu's last choice,
  // then the browser's languages: each by whole tag, then by base (pt-BR: pt).
  const pick = (tag) => {
    tag = String(tag).toLowerCase();
    const base = tag.split("-")[0];
    return (languages.find(([code]) => code.toLowerCase() === tag) ||
      languages.find(([code]) => code === base) || [])[0];
  };
  const wanted = [el.dataset.lang, stored(), ...(navigator.languages || [navigator.language])];
  const lang = wanted.filter(Boolean).map(pick).find(Boolean) || "en";
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
      lang === "en" ? null : text(new URL(languages.find(([code]) => code === lang)[5], catalogs)),
      el.dataset.messages
        ? text(new URL(el.dataset.messages.replace("{lang}", lang), document.baseURI))
        : null,
    ]);
  el.conferenceFormI18n = {
    lang,
    languages,
    texts: load(lang),
    load,
    remember: (lang) => {
      try {
        localStorage.setItem(key, lang);
      } catch {}
    },
  };
}
