/// The dashboard's script, plain JavaScript in three parts: `core` (the API,
/// signing in, the refresh loop), `views` (figures, charts, tables, in
/// DashboardScript+Views.swift) and `forms` (DashboardScript+Forms.swift).
///
/// Signing in: the page asks for a broker user and keeps the credentials in
/// sessionStorage for the tab's life, sending them as HTTP Basic with every
/// call. A URL fragment can carry them and an action, so that scripts and
/// tests drive the page's own code (`#user=guest&pass=guest&tab=messages&do=publish&...`);
/// the fragment is cleared from the address bar once read.
enum DashboardScript {
    static let core = #"""
    'use strict';
    const W = { auth: null, tab: 'overview', data: {}, timer: null, params: {}, actionDone: false };

    function el(tag, attributes, ...children) {
      const node = document.createElement(tag);
      for (const [key, value] of Object.entries(attributes || {})) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'class') node.className = value;
        else if (key === 'style') node.style.cssText = value;
        else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? '' : value);
      }
      for (const child of children.flat()) {
        if (child === undefined || child === null || child === false) continue;
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
      return node;
    }

    const $ = (selector) => document.querySelector(selector);
    const enc = encodeURIComponent;

    function toast(text, bad) {
      const node = el('div', { class: 'toast' + (bad ? ' bad' : '') }, text);
      $('#toasts').append(node);
      setTimeout(() => node.remove(), 4000);
    }

    function formatNumber(value) {
      if (value === undefined || value === null) return '–';
      if (typeof value !== 'number') return String(value);
      if (Math.abs(value) >= 1e6) return (value / 1e6).toFixed(1) + 'M';
      if (Math.abs(value) >= 1e4) return (value / 1e3).toFixed(1) + 'k';
      return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1);
    }

    function formatBytes(bytes) {
      if (!bytes) return '0 B';
      const units = ['B', 'KiB', 'MiB', 'GiB'];
      let index = 0;
      while (bytes >= 1024 && index < units.length - 1) { bytes /= 1024; index++; }
      return bytes.toFixed(index ? 1 : 0) + ' ' + units[index];
    }

    async function api(method, path, body) {
      const headers = { 'Authorization': 'Basic ' + btoa(W.auth.user + ':' + W.auth.pass) };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch('/api' + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store'
      });
      if (response.status === 401) { signOut('Your session was refused; sign in again.'); throw new Error('not signed in'); }
      const text = await response.text();
      const json = text ? JSON.parse(text) : null;
      if (!response.ok) throw new Error((json && json.reason) || response.statusText);
      return { status: response.status, json };
    }

    function readFragment() {
      const params = {};
      const hash = location.hash.replace(/^#/, '');
      if (!hash) return params;
      for (const part of hash.split('&')) {
        const [key, value = ''] = part.split('=');
        params[decodeURIComponent(key)] = decodeURIComponent(value.replace(/\+/g, ' '));
      }
      history.replaceState(null, '', location.pathname + location.search);
      return params;
    }

    async function signIn(user, pass) {
      W.auth = { user, pass };
      try {
        const me = await api('GET', '/whoami');
        sessionStorage.setItem('warren-auth', JSON.stringify(W.auth));
        $('#whoami').textContent = me.json.name;
        start();
        return true;
      } catch (error) {
        W.auth = null;
        $('#login-error').textContent = 'Sign-in failed: ' + error.message;
        return false;
      }
    }

    function signOut(message) {
      sessionStorage.removeItem('warren-auth');
      W.auth = null;
      clearInterval(W.timer);
      $('#app').hidden = true; $('#tabs').hidden = true; $('#session').hidden = true;
      $('#login').hidden = false;
      $('#login-error').textContent = message || '';
    }

    function showTab(tab) {
      W.tab = tab;
      for (const button of document.querySelectorAll('#tabs button')) button.classList.toggle('active', button.dataset.tab === tab);
      for (const view of document.querySelectorAll('[data-view]')) view.hidden = view.dataset.view !== tab;
    }

    async function refresh() {
      try {
        const [overview, queues, exchanges, bindings, connections, channels, consumers] = await Promise.all([
          api('GET', '/overview?msg_rates_age=600&msg_rates_incr=5&lengths_age=600&lengths_incr=5'),
          api('GET', '/queues'), api('GET', '/exchanges'), api('GET', '/bindings'),
          api('GET', '/connections'), api('GET', '/channels'), api('GET', '/consumers')]);
        W.data = { overview: overview.json, queues: queues.json, exchanges: exchanges.json, bindings: bindings.json,
                   connections: connections.json, channels: channels.json, consumers: consumers.json };
        render();
        document.body.dataset.loaded = 'true';
      } catch (error) {
        if (W.auth) toast('Refresh failed: ' + error.message, true);
      }
    }

    function start() {
      $('#login').hidden = true;
      $('#app').hidden = false; $('#tabs').hidden = false; $('#session').hidden = false;
      showTab(W.params.tab || W.tab);
      clearInterval(W.timer);
      W.timer = setInterval(refresh, 3000);
      refresh().then(runFragmentAction);
    }

    document.addEventListener('DOMContentLoaded', async () => {
      W.params = readFragment();
      for (const button of document.querySelectorAll('#tabs button')) button.addEventListener('click', () => showTab(button.dataset.tab));
      $('#logout').addEventListener('click', () => signOut());
      $('#login-form').addEventListener('submit', (event) => {
        event.preventDefault();
        const form = event.target;
        signIn(form.user.value, form.pass.value);
      });
      installForms();
      const stored = sessionStorage.getItem('warren-auth');
      if (W.params.user !== undefined) {
        const form = $('#login-form');
        form.user.value = W.params.user; form.pass.value = W.params.pass || '';
        if (await signIn(W.params.user, W.params.pass || '')) return;
      } else if (stored) {
        const auth = JSON.parse(stored);
        if (await signIn(auth.user, auth.pass)) return;
      }
      $('#login').hidden = false;
    });
    """#
}
