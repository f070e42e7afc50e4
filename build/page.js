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
