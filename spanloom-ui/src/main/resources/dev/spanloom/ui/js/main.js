// The shell: routes by path (deep links work because the server answers index.html for them),
// the theme toggle and the global keys.
import { searchPage } from './search.js';
import { tracePage } from './trace.js';
import { comparePage } from './compare.js';
import { servicesPage, servicePage } from './services.js';
import { mapPage } from './map.js';
import { sloPage } from './slo.js';
import { h } from './util.js';

const routes = [
  [/^\/(?:search)?$/, () => searchPage, 'search'],
  [/^\/trace\/([0-9a-fA-F]{1,32})$/, (m) => (ctx) => tracePage(ctx, m[1].toLowerCase()), null],
  [/^\/compare\/([0-9a-fA-F]{1,32})\/([0-9a-fA-F]{1,32})$/, (m) => (ctx) => comparePage(ctx, m[1].toLowerCase(), m[2].toLowerCase()), null],
  [/^\/services$/, () => servicesPage, 'services'],
  [/^\/service\/(.+)$/, (m) => (ctx) => servicePage(ctx, decodeURIComponent(m[1])), 'services'],
  [/^\/map$/, () => mapPage, 'map'],
  [/^\/slo$/, () => sloPage, 'slo'],
];

let cleanup = null;
let renderedPath = null;

/** Goes to a URL of the app without reloading. replace keeps the history entry (state changes). */
export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  render();
}

function render() {
  const path = location.pathname;
  const main = document.getElementById('main');
  // A page that keeps its state in the query string re-reads it itself.
  if (path === renderedPath && cleanup && cleanup.onQueryChange) {
    cleanup.onQueryChange(new URLSearchParams(location.search));
    return;
  }
  if (cleanup && cleanup.dispose) cleanup.dispose();
  cleanup = null;
  renderedPath = path;
  main.replaceChildren();
  main.className = '';
  let page = null;
  let nav = null;
  for (const [re, make, n] of routes) {
    const m = re.exec(path);
    if (m) { page = make(m); nav = n; break; }
  }
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  if (!page) {
    main.append(h('h1', null, 'Not found'), h('p', null, 'No page at ', h('code', null, path), '. ', h('a', { href: '/search', 'data-link': '' }, 'Search traces')));
    return;
  }
  const ctx = { main, params: new URLSearchParams(location.search), navigate };
  cleanup = page(ctx) || null;
}

// Same-origin links marked data-link route in the page; modified clicks open tabs as usual.
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[data-link]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', render);

document.getElementById('jump').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('jump-id');
  const id = input.value.trim().toLowerCase();
  if (/^[0-9a-f]{1,32}$/.test(id)) { input.value = ''; navigate('/trace/' + id); }
});

function applyTheme(theme) {
  if (theme) document.documentElement.dataset.theme = theme; else delete document.documentElement.dataset.theme;
}
document.getElementById('theme').addEventListener('click', () => {
  const dark = document.documentElement.dataset.theme
    ? document.documentElement.dataset.theme === 'dark'
    : matchMedia('(prefers-color-scheme: dark)').matches;
  const next = dark ? 'light' : 'dark';
  applyTheme(next);
  try { localStorage.setItem('spanloom.theme', next); } catch (err) { /* private mode */ }
});

// "/" focuses the search (or goes to it), as in most search UIs; not while typing.
document.addEventListener('keydown', (e) => {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t.closest && t.closest('input, textarea, select, [contenteditable]')) return;
  e.preventDefault();
  const focusSearch = () => {
    const el = document.querySelector('[data-search-focus]');
    if (el) el.focus();
  };
  if (!document.querySelector('[data-search-focus]')) { navigate('/search'); requestAnimationFrame(focusSearch); } else focusSearch();
});

render();
