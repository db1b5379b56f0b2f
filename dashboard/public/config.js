// Runtime settings of the EventLens dashboard. Edit this file in dist/ (or before building in
// public/) to change them without rebuilding.
//
// EVENTLENS_GRAFANA_URL: base URL of your Grafana (e.g. "https://grafana.example.com"). When set,
// the overview's cards link to Grafana; when empty, the links are hidden. The Vite variable
// VITE_GRAFANA_URL, set at build time, is used when this is empty.
window.EVENTLENS_GRAFANA_URL = window.EVENTLENS_GRAFANA_URL || '';
