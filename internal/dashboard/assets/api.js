// The dashboard's GraphQL client: POST /graphql with the access token, the
// sign-in (login), its renewal (refreshToken, single-use and rotated) and
// sign-out (logout). The access token lives in memory only; the refresh
// token in sessionStorage, so that a reload of the tab stays signed in and
// closing it forgets the sign-in.

export class APIError extends Error {
  constructor(message, code, errors) {
    super(message);
    this.code = code;
    this.errors = errors;
  }
}

const TOKEN_FIELDS = 'accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { id email displayName }';

const REFRESH_KEY = 'bangfu.dashboard.refreshToken';

export class Session {
  /**
   * endpoint: the GraphQL address; fetch and storage can be replaced in
   * tests; now returns the time in milliseconds.
   */
  constructor({ endpoint = '/graphql', fetch = globalThis.fetch.bind(globalThis), storage = globalThis.sessionStorage, now = () => Date.now() } = {}) {
    this.endpoint = endpoint;
    this.fetch = fetch;
    this.storage = storage;
    this.now = now;
    this.access = null; // {token, expiresAt (ms)}
    this.user = null;
    this.refreshing = null;
    this.onSignedOut = null;
  }

  get signedIn() {
    return this.access !== null;
  }

  /** post sends one GraphQL request and returns data, or throws APIError. */
  async post(query, variables, token) {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let res;
    try {
      res = await this.fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    } catch (e) {
      throw new APIError(`the server does not answer (${e.message})`, 'NETWORK');
    }
    let body = null;
    try {
      body = await res.json();
    } catch {
      throw new APIError(`HTTP ${res.status}`, res.status === 401 ? 'UNAUTHENTICATED' : 'BAD_RESPONSE');
    }
    const errors = body?.errors;
    if (errors?.length) {
      const code = errors[0]?.extensions?.code ?? (res.status === 401 ? 'UNAUTHENTICATED' : 'ERROR');
      throw new APIError(errors.map((e) => e.message).join('; '), code, errors);
    }
    if (!res.ok) throw new APIError(`HTTP ${res.status}`, res.status === 401 ? 'UNAUTHENTICATED' : 'BAD_RESPONSE');
    return body.data;
  }

  accept(p) {
    this.access = { token: p.accessToken, expiresAt: Date.parse(p.accessTokenExpiresAt) };
    this.user = p.user;
    this.storage?.setItem(REFRESH_KEY, p.refreshToken);
  }

  /** signIn runs the login mutation. */
  async signIn(email, password) {
    const data = await this.post(`mutation DashboardLogin($email: String!, $password: String!) { login(email: $email, password: $password) { ${TOKEN_FIELDS} } }`, { email, password });
    this.accept(data.login);
    return this.user;
  }

  /** resume signs in again from the stored refresh token; false when there is none or it no longer works. */
  async resume() {
    if (!this.storage?.getItem(REFRESH_KEY)) return false;
    try {
      await this.refresh();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * refresh exchanges the refresh token for new tokens. Concurrent callers
   * share one exchange: a refresh token works once, and presenting it twice
   * would revoke the sign-in.
   */
  refresh() {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        const rt = this.storage?.getItem(REFRESH_KEY);
        if (!rt) throw new APIError('not signed in', 'UNAUTHENTICATED');
        try {
          const data = await this.post(`mutation DashboardRefresh($rt: String!) { refreshToken(refreshToken: $rt) { ${TOKEN_FIELDS} } }`, { rt });
          this.accept(data.refreshToken);
        } catch (e) {
          if (e.code !== 'NETWORK' && e.code !== 'UNAVAILABLE') this.forget();
          throw e;
        }
      })().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** token returns an access token valid for at least another 30 s, refreshing if needed. */
  async token() {
    if (!this.access) throw new APIError('not signed in', 'UNAUTHENTICATED');
    if (this.access.expiresAt - this.now() < 30000) await this.refresh();
    return this.access.token;
  }

  /** query runs an operation as the signed-in user; a 401 is retried once after a refresh. */
  async query(query, variables) {
    try {
      return await this.post(query, variables, await this.token());
    } catch (e) {
      if (e.code !== 'UNAUTHENTICATED' || !this.access) throw e;
      await this.refresh();
      return this.post(query, variables, this.access.token);
    }
  }

  /** signOut revokes the sign-in (logout) and forgets it locally either way. */
  async signOut() {
    const rt = this.storage?.getItem(REFRESH_KEY);
    this.forget();
    if (rt) {
      try {
        await this.post('mutation DashboardLogout($rt: String!) { logout(refreshToken: $rt) }', { rt });
      } catch {
        // The tokens are forgotten; an unreachable server cannot undo that.
      }
    }
  }

  forget() {
    const was = this.access !== null;
    this.access = null;
    this.user = null;
    this.storage?.removeItem(REFRESH_KEY);
    if (was) this.onSignedOut?.();
  }
}
