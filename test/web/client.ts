/** A small cookie-keeping HTTP client for web-app tests (no redirects followed, so statuses can be asserted). */
export interface WebResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  setCookies: string[];
}

export class WebClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly defaultHeaders: Record<string, string> = {},
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    path: string,
    opts: { method?: string; form?: Record<string, string | string[]>; headers?: Record<string, string>; body?: string } = {},
  ): Promise<WebResponse> {
    const headers: Record<string, string> = { ...this.defaultHeaders, ...opts.headers };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    let body = opts.body;
    if (opts.form) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
      body = p.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const res = await fetch(this.base + path, { method: opts.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const sc of setCookies) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (!value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location'), setCookies };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request(path, { headers });
  }

  /** POST a form; `_csrf` is taken from `csrfFrom` unless given (pass `_csrf: ''` to leave it out). */
  post(path: string, form: Record<string, string | string[]>, headers?: Record<string, string>) {
    return this.request(path, { method: 'POST', form, headers });
  }

  /** GET the sign-in page and POST the form. Returns the POST response. */
  async signIn(email: string, password: string, extra: Record<string, string> = {}): Promise<WebResponse> {
    const page = await this.get('/signin');
    return this.post('/signin', { _csrf: csrfFrom(page.text), email, password, ...extra });
  }

  /** The CSRF token of a signed-in page. */
  async csrf(path = '/tasks'): Promise<string> {
    const page = await this.get(path);
    if (page.status !== 200) throw new Error(`GET ${path} → ${page.status}`);
    return csrfFrom(page.text);
  }
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no _csrf field on the page');
  return m[1]!;
}
