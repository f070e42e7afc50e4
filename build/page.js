// The standalone page (index.html only; a host page has its own): its title,
// language and direction, and a menu of the form's languages. It runs before
// the wasm arrives, with the words the build took from i18n/*.json.
function conferenceFormPage(el) {
  const { lang, languages, texts, remember } = el.conferenceFormI18n;
  const label = document.createElement("label");
  const menu = document.createElement("select");
  const show = (shown) => {
    const [, , dir, title, menuLabel] = languages.find(([code]) => code === shown);
    const html = document.documentElement;
    html.lang = shown;
    html.dir = dir;
    document.title = title;
    document.getElementById("page-title").textContent = title;
    label.textContent = menuLabel;
    menu.value = shown;
  };
  label.htmlFor = menu.id = "page-language";
  for (const [code, name] of languages) {
    const option = new Option(name, code);
    option.lang = code; // each name is read in its own language
    menu.append(option);
  }
  // A new language is a new page: the form draws once, in one language.
  menu.onchange = () => {
    remember(menu.value);
    location.reload();
  };
  document.getElementById("page-bar").append(label, menu);
  show(lang);
  // The language's catalog did not come: the form is English, so is the page.
  texts.then(([words]) => lang !== "en" && words === null && show("en"));
}

// The standalone page framed by embed.js (index.html#embedded), where the
// host's policy kept WebAssembly out of the host page: only the form shows,
// its settings come by message from the host (the token never in a URL),
// and the host hears the frame's height and the conferences created.
function conferenceFormFramed(el) {
  if (location.hash !== "#embedded" || parent === window) return;
  document.documentElement.classList.add("page-embedded");
  // Trunk's loader starts the app after this script: with no
  // #conference-form in the page then, the app waits for the settings.
  el.id = "";
  let host = null; // the host's origin, learnt from its settings message
  const tell = (message) => host && parent.postMessage(message, host);
  addEventListener("message", async (e) => {
    if (e.source !== parent || e.data?.conferenceForm !== "settings" || host) return;
    host = e.origin;
    Object.assign(el.dataset, e.data.settings); // the host element's data-*
    el.id = "conference-form";
    conferenceFormLanguage(el, new URL("i18n/", document.baseURI)); // the host's lang, if it set one
    // A second instance of the app (the first found no form to draw): the
    // files Trunk's loader preloads, from the HTTP cache.
    const js = document.querySelector("link[rel=modulepreload]").href;
    const wasm = document.querySelector("link[rel=preload][as=fetch]").href;
    const app = await import(js + "?framed");
    await app.default({ module_or_path: wasm });
    const height = () => Math.ceil(document.body.getBoundingClientRect().height);
    new ResizeObserver(() => tell({ conferenceForm: "height", height: height() })).observe(document.body);
  });
  el.addEventListener("conference-created", (e) => tell({ conferenceForm: "created", detail: e.detail }));
  parent.postMessage({ conferenceForm: "ready", title: document.title }, "*"); // nothing secret
}
