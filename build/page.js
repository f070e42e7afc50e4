// The standalone page (index.html only; a host page has its own): its title,
// language and direction, and a menu of the form's languages. It runs before
// the wasm arrives, with the words the build took from i18n/*.json.
function conferenceFormPage(el) {
  const { lang, languages, remember } = el.conferenceFormI18n;
  const [, , dir, title, menuLabel] = languages.find(([code]) => code === lang);
  const html = document.documentElement;
  html.lang = lang;
  html.dir = dir;
  document.title = title;
  document.getElementById("page-title").textContent = title;
  const label = document.createElement("label");
  label.htmlFor = "page-language";
  label.textContent = menuLabel;
  const menu = document.createElement("select");
  menu.id = "page-language";
  for (const [code, name] of languages) {
    const option = new Option(name, code, false, code === lang);
    option.lang = code; // each name is read in its own language
    menu.append(option);
  }
  // A new language is a new page: the form draws once, in one language.
  menu.onchange = () => {
    remember(menu.value);
    location.reload();
  };
  document.getElementById("page-bar").append(label, menu);
}
