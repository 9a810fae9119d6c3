// Datums and the Leaflet pieces the pages share. The map has no base
// layer: county outlines are the server's own polygons, so nothing is
// fetched from a tile server.
const PI = Math.PI;
const A = 6378245.0;
const EE = 0.00669342162296594323;

function tLat(x, y) {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2) / 3;
  r += ((20 * Math.sin(y * PI) + 40 * Math.sin((y / 3) * PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * PI) + 320 * Math.sin((y * PI) / 30)) * 2) / 3;
  return r;
}

function tLon(x, y) {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2) / 3;
  r += ((20 * Math.sin(x * PI) + 40 * Math.sin((x / 3) * PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * PI) + 300 * Math.sin((x / 30) * PI)) * 2) / 3;
  return r;
}

function wgsToGcj(lat, lon) {
  const x = lon - 105;
  const y = lat - 35;
  const rad = (lat / 180) * PI;
  let m = Math.sin(rad);
  m = 1 - EE * m * m;
  const s = Math.sqrt(m);
  const dLat = (tLat(x, y) * 180) / (((A * (1 - EE)) / (m * s)) * PI);
  const dLon = (tLon(x, y) * 180) / ((A / s) * Math.cos(rad) * PI);
  return [lat + dLat, lon + dLon];
}

function gcjToWgs(lat, lon) {
  let [wLat, wLon] = [lat, lon];
  for (let i = 0; i < 5; i++) {
    const [gLat, gLon] = wgsToGcj(wLat, wLon);
    wLat += lat - gLat;
    wLon += lon - gLon;
  }
  return [wLat, wLon];
}

function bdToGcj(lat, lon) {
  const xPi = (PI * 3000) / 180;
  const x = lon - 0.0065;
  const y = lat - 0.006;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * xPi);
  const th = Math.atan2(y, x) - 0.000003 * Math.cos(x * xPi);
  return [z * Math.sin(th), z * Math.cos(th)];
}

/** A fix in datum from, as [lat, lon] in datum to (WGS84, GCJ02, BD09; BD09 only as a source). */
export function toDatum(lat, lon, from, to) {
  if (from === to) return [lat, lon];
  let g = from === 'BD09' ? bdToGcj(lat, lon) : from === 'WGS84' ? wgsToGcj(lat, lon) : [lat, lon];
  return to === 'WGS84' ? gcjToWgs(g[0], g[1]) : g;
}

/** A Leaflet map in el with no base layer. */
export function newMap(el) {
  const map = L.map(el, { attributionControl: false, zoomSnap: 0.25, preferCanvas: false });
  map.setView([33.9, 113.6], 6.5);
  return map;
}

/** The colour of a verdict status. */
export const statusColour = {
  MET: '#2e7d32', ON_TRACK: '#1565c0', AT_RISK: '#ef6c00', MISSED: '#c62828', EXEMPT: '#9e9e9e', NONE: '#e0e0e0',
};

/** A GeoJSON geometry string as a Leaflet layer with style. */
export function outline(geometry, style) {
  return L.geoJSON(JSON.parse(geometry), { style: () => style });
}

/**
 * Check-ins (lat, lon, accuracy, coordSystem, flags, status) as points with
 * accuracy circles, in datum; flagged ones red. onClick(c) on a click.
 */
export function fixes(list, datum, onClick) {
  const group = L.featureGroup();
  for (const c of list) {
    const ll = toDatum(c.lat, c.lon, c.coordSystem, datum);
    const flagged = c.flags && c.flags.length > 0;
    const colour = flagged ? '#c62828' : c.status === 'PENDING' ? '#ef6c00' : '#1565c0';
    L.circle(ll, { radius: c.accuracy, color: colour, weight: 1, fillOpacity: 0.1, className: 'accuracy' }).addTo(group);
    const dot = L.circleMarker(ll, { radius: 5, color: colour, weight: 2, fillOpacity: 0.9, className: flagged ? 'fix flagged' : 'fix' });
    if (onClick) dot.on('click', () => onClick(c));
    dot.addTo(group);
  }
  return group;
}
