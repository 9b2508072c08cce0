// The book's own script (Jupyter Book loads every .js file in _static/).
//
// Narrow screens: a display equation, a table or a code cell wider than its column scrolls in its
// own box (book.css), whose edge fades where there is more to see: the classes scroll-more-left and
// scroll-more-right, set once the page is typeset, on resizing and as a box is scrolled. Marks
// <html data-scroll-cues="WIDTH"> (the window's width) when they are up to date.
(() => {
  const SELECTOR = "div.math > mjx-container, .pst-scrollable-table-container, div.highlight > pre";
  const state = (box) => {
    const more = box.scrollWidth - box.clientWidth;
    return [more > 1 && box.scrollLeft > 1, more > 1 && box.scrollLeft < more - 1];
  };
  const show = (box, [left, right]) => {
    box.classList.toggle("scroll-more-left", left);
    box.classList.toggle("scroll-more-right", right);
  };
  const update = () => {
    const boxes = Array.from(document.querySelectorAll(SELECTOR));
    const states = boxes.map(state); // all reads, then all writes: one layout
    boxes.forEach((box, i) => show(box, states[i]));
    document.documentElement.dataset.scrollCues = String(window.innerWidth);
  };
  document.addEventListener("scroll", (event) => {
    const box = event.target;
    if (box instanceof Element && box.matches(SELECTOR)) show(box, state(box));
  }, { capture: true, passive: true });
  window.addEventListener("resize", update);
  window.addEventListener("load", () => {
    const startup = window.MathJax && window.MathJax.startup;
    Promise.resolve(startup && startup.promise).then(update);
  });
})();

//
// Printing (the browser's print, and make pdf): a display equation wider than the paper is
// scaled down until it fits; on screen it scrolls in its own box instead (book.css). Run once
// MathJax has typeset the page, when the print media query starts or stops to match, and before
// and after printing; it marks <html data-math-fit="print"> (or "screen") when done, which
// make pdf and the browser check wait for.
(() => {
  const fit = (printing) => {
    const boxes = Array.from(document.querySelectorAll("div.math"));
    const equations = boxes.map((box) => box.querySelector("mjx-container"));
    equations.forEach((eq) => eq && (eq.style.zoom = ""));
    if (printing) {
      // measure everything first, then write: one layout, not one per equation
      const scales = boxes.map((box, i) => {
        const math = equations[i] && equations[i].firstElementChild;
        if (!math) return null;
        const need = math.getBoundingClientRect().width;
        const room = box.clientWidth;
        return need > room + 0.5 ? Math.floor((room / need) * 1000) / 1000 : null;
      });
      scales.forEach((s, i) => s && (equations[i].style.zoom = String(s)));
    }
    document.documentElement.dataset.mathFit = printing ? "print" : "screen";
  };
  const print = window.matchMedia("print");
  print.addEventListener("change", (event) => fit(event.matches));
  window.addEventListener("beforeprint", () => fit(true));
  window.addEventListener("afterprint", () => fit(print.matches));
  window.addEventListener("load", () => {
    const startup = window.MathJax && window.MathJax.startup;
    Promise.resolve(startup && startup.promise).then(() => fit(print.matches));
  });
})();
