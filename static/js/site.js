// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen readers announce it first.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  // A table wider than the screen scrolls inside its wrapper: make that wrapper reachable with the
  // keyboard (WCAG 2.1.1), named after the table's caption for screen readers.
  const markScrollable = () => {
    document.querySelectorAll(".table-wrap").forEach((wrap) => {
      const scrolls = wrap.scrollWidth > wrap.clientWidth;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        const caption = wrap.querySelector("caption");
        if (caption) wrap.setAttribute("aria-label", caption.textContent.trim());
      }
    });
  };
  markScrollable();
  window.addEventListener("resize", markScrollable);
});
