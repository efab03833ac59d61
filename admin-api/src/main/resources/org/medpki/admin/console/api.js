// fetch for the admin API: JSON in and out, the CSRF token on every state-changing request.
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || ('HTTP ' + status));
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  constructor() {
    this.csrfToken = null;
  }

  async request(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['X-CSRF-Token'] = this.csrfToken || '';
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
      }
    }
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      throw new ApiError(response.status, data);
    }
    return data;
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body) {
    return this.request('POST', path, body);
  }
}
