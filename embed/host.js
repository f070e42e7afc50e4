// The host reacts to the form's event: detail is {id, code}.
document.getElementById("conference-form").addEventListener("conference-created", (event) => {
  const { id, code } = event.detail;
  document.getElementById("host-log").textContent = `Conference ${id} created with code ${code}.`;
});
