extension DashboardScript {
    /// The forms (declare, bind, publish, get) and the actions a URL fragment
    /// may ask for, which fill a form and submit it through the same handler
    /// a click would run. The outcome lands in `body[data-last-action]`.
    static let forms = #"""
    async function act(method, path, success, body) {
      try {
        const result = await api(method, path, body);
        if (success) toast(success);
        refresh();
        return result;
      } catch (error) {
        toast(error.message, true);
        throw error;
      }
    }

    function parseJSONField(text, what) {
      if (!text || !text.trim()) return undefined;
      try { return JSON.parse(text); } catch (error) { throw new Error(what + ' must be JSON: ' + error.message); }
    }

    function finish(action, ok) { document.body.dataset.lastAction = action + ':' + (ok ? 'ok' : 'failed'); }

    function onSubmit(selector, handler) {
      $(selector).addEventListener('submit', async (event) => {
        event.preventDefault();
        const form = event.target;
        const submit = form.querySelector('button[type=submit]');
        submit.disabled = true;
        try {
          await handler(form);
          finish(form.id, true);
        } catch (error) {
          finish(form.id, false);
          if (error.message !== 'not signed in') toast(error.message, true);
        } finally {
          submit.disabled = false;
        }
      });
    }

    function installForms() {
      onSubmit('#declare-queue', async (form) => {
        const body = { durable: form.durable.checked, auto_delete: form.auto_delete.checked,
                       arguments: parseJSONField(form.arguments.value, 'Arguments') || {} };
        const result = await act('PUT', `/queues/%2F/${enc(form.name.value)}`, null, body);
        toast(result.status === 201 ? `Queue ${form.name.value} added` : `Queue ${form.name.value} already exists`);
        form.name.value = '';
      });

      onSubmit('#declare-exchange', async (form) => {
        const result = await act('PUT', `/exchanges/%2F/${enc(form.name.value)}`, null,
                                 { type: form.type.value, durable: form.durable.checked });
        toast(result.status === 201 ? `Exchange ${form.name.value} added` : `Exchange ${form.name.value} already exists`);
        form.name.value = '';
      });

      onSubmit('#add-binding', async (form) => {
        if (!form.source.value || !form.queue.value) throw new Error('Choose an exchange and a queue');
        await act('POST', `/bindings/%2F/e/${enc(form.source.value)}/q/${enc(form.queue.value)}`,
                  `Bound ${form.queue.value} to ${form.source.value}`, { routing_key: form.routing_key.value, arguments: {} });
      });

      onSubmit('#publish', async (form) => {
        const properties = {};
        if (form.message_id.value) properties.message_id = form.message_id.value;
        if (form.priority.value !== '') properties.priority = Number(form.priority.value);
        if (form.content_type.value) properties.content_type = form.content_type.value;
        if (form.persistent.checked) properties.delivery_mode = 2;
        const headers = parseJSONField(form.headers.value, 'Headers');
        if (headers) properties.headers = headers;
        const exchange = form.exchange.value || 'amq.default';
        const result = await act('POST', `/exchanges/%2F/${enc(exchange)}/publish`, null, {
          routing_key: form.routing_key.value, payload: form.payload.value, payload_encoding: 'string', properties });
        const line = $('#publish-result');
        line.className = 'result ' + (result.json.routed ? 'ok' : 'bad');
        line.textContent = result.json.routed ? 'Published and routed.' : 'Published, but no queue was bound to receive it.';
      });

      onSubmit('#get-messages', async (form) => {
        if (!form.queue.value) throw new Error('Choose a queue');
        const result = await act('POST', `/queues/%2F/${enc(form.queue.value)}/get`, null,
                                 { count: Number(form.count.value) || 1, ackmode: form.ackmode.value, encoding: 'auto', truncate: 50000 });
        const list = $('#got-messages');
        list.replaceChildren(...(result.json.length ? result.json.map((message) => el('div', { class: 'message' },
          el('div', { class: 'meta' },
            el('span', { class: 'mono' }, 'id ' + (message.properties.message_id || '–')),
            el('span', {}, message.payload_bytes + ' bytes'),
            el('span', {}, 'routing key ' + message.routing_key),
            message.redelivered ? el('span', { class: 'tag amber' }, 'redelivered') : null,
            el('span', {}, message.message_count + ' left')),
          el('pre', {}, message.payload))) : [el('p', { class: 'muted' }, 'The queue is empty.')]));
      });
    }

    /// `#do=publish&exchange=…&routing_key=…&payload=…` and the like: fill
    /// the named form from the fragment and submit it as a click would.
    function runFragmentAction() {
      const forms = { 'declare-queue': 'queues', 'declare-exchange': 'exchanges', 'add-binding': 'exchanges',
                      publish: 'messages', 'get-messages': 'messages' };
      const action = W.params.do;
      if (!action || W.actionDone || !forms[action]) return;
      W.actionDone = true;
      showTab(forms[action]);
      const form = document.getElementById(action);
      for (const [key, value] of Object.entries(W.params)) {
        const field = form.elements[key];
        if (!field || !field.name) continue;
        if (field.tagName === 'SELECT' && ![...field.options].some((option) => option.value === value)) {
          field.append(el('option', { value }, value));
        }
        if (field.type === 'checkbox') field.checked = value === 'true' || value === 'on';
        else field.value = value;
      }
      form.requestSubmit();
    }
    """#
}
