// The API client. The session (access and refresh tokens) lives in this
// module's memory only: no cookie, no storage, so a reload signs out and
// no other page or script of the origin can read the tokens from disk.

let session = null; // {access, refresh, expiresAt (ms), user}
const listeners = [];

/** An API error: code is extensions.code (FORBIDDEN, UNAUTHENTICATED, …). */
export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export function currentUser() {
  return session ? session.user : null;
}

/** Calls fn(user) on every sign-in and fn(null) on every sign-out. */
export function onSession(fn) {
  listeners.push(fn);
}

function setSession(s) {
  session = s;
  for (const fn of listeners) fn(s ? s.user : null);
}

const AUTH_FIELDS = `accessToken accessTokenExpiresAt refreshToken mustChangePassword
  user { id username displayName role orgUnit { id name kind } }`;

async function post(query, variables, token) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  let resp;
  try {
    resp = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch (e) {
    throw new ApiError('UNAVAILABLE', String(e));
  }
  let body;
  try {
    body = await resp.json();
  } catch (e) {
    throw new ApiError('INTERNAL', `HTTP ${resp.status}`);
  }
  if (body.errors && body.errors.length) {
    const e = body.errors[0];
    throw new ApiError((e.extensions && e.extensions.code) || 'INTERNAL', e.message);
  }
  return body.data;
}

function accept(p) {
  return { access: p.accessToken, refresh: p.refreshToken, expiresAt: Date.parse(p.accessTokenExpiresAt), user: p.user };
}

/** Signs in; resolves to the user, or {mustChangePassword} when the password must change first. */
export async function login(username, password, deviceId) {
  const data = await post(`mutation($u: String!, $p: String!, $d: String!) { login(username: $u, password: $p, deviceId: $d) { ${AUTH_FIELDS} } }`,
    { u: username, p: password, d: deviceId });
  const p = data.login;
  if (p.mustChangePassword) {
    // This session serves only changePassword: spend it at once, then sign in again.
    return { mustChangePassword: true, token: p.accessToken };
  }
  setSession(accept(p));
  return p.user;
}

export async function changePassword(token, oldPassword, newPassword) {
  await post('mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }', { o: oldPassword, n: newPassword }, token);
}

async function token() {
  if (!session) throw new ApiError('UNAUTHENTICATED', 'not signed in');
  if (Date.now() > session.expiresAt - 60_000) {
    try {
      const data = await post(`mutation($r: String!) { refreshToken(refreshToken: $r) { ${AUTH_FIELDS} } }`, { r: session.refresh });
      session = accept(data.refreshToken);
    } catch (e) {
      setSession(null);
      throw e;
    }
  }
  return session.access;
}

/** Runs a GraphQL document as the signed-in user; resolves to data, rejects with ApiError. */
export async function gql(query, variables = {}) {
  try {
    return await post(query, variables, await token());
  } catch (e) {
    if (e.code === 'UNAUTHENTICATED' && session) setSession(null);
    throw e;
  }
}

/** Fetches a same-origin URL with the bearer token; resolves to a Blob. */
export async function fetchBlob(url) {
  const resp = await fetch(url, { headers: { Authorization: 'Bearer ' + (await token()) } });
  if (!resp.ok) throw new ApiError(resp.status === 403 ? 'FORBIDDEN' : 'INTERNAL', `HTTP ${resp.status}`);
  return resp.blob();
}

/** Downloads a same-origin URL with the bearer token as a file named name. */
export async function download(url, name) {
  const blob = await fetchBlob(url);
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export async function logout() {
  if (!session) return;
  const s = session;
  setSession(null);
  try {
    await post('mutation($r: String) { logout(refreshToken: $r) }', { r: s.refresh }, s.access);
  } catch (e) {
    // The session is gone from memory either way.
  }
}

/** Fetches every page of a connection: pick(data) returns the connection. */
export async function all(query, variables, pick, max = 10) {
  const out = [];
  let after = null;
  for (let i = 0; i < max; i++) {
    const conn = pick(await gql(query, { ...variables, after }));
    out.push(...conn.edges.map((e) => e.node));
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor;
  }
  return out;
}
