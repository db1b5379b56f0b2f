// Applies the saved theme before the first paint (no flash of the wrong theme). A file, not an
// inline script, so that a Content-Security-Policy without 'unsafe-inline' lets it run.
(function () {
  try {
    var t = localStorage.getItem('eventlens.theme') || 'system';
    var dark = t === 'dark' || (t === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
    if (dark) document.documentElement.classList.add('dark');
  } catch {
    /* no storage: the light theme until the app starts */
  }
})();
