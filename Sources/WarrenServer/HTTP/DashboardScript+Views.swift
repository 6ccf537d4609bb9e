extension DashboardScript {
    /// Rendering: the figures, the two SVG charts (from the overview's
    /// samples) and every table. All text goes in through `textContent`
    /// (via `el`), never as HTML: names come from strangers.
    static let views = #"""
    const COLORS = { publish: '#4f46e5', deliver: '#0f9d74', ack: '#f59e0b', ready: '#6366f1', unacked: '#ec4899' };

    function render() {
      const data = W.data;
      const overview = data.overview || {};
      $('#version').textContent = overview.product_version ? 'v' + overview.product_version : '';
      $('#node').textContent = overview.node || '';
      renderFigures(overview);
      renderCharts(overview);
      renderQueues('#overview-queues', data.queues, false);
      $('#queue-count').textContent = (data.queues || []).length + ' total';
      renderQueues('#queues', data.queues, true);
      renderExchanges(data.exchanges);
      renderBindings(data.bindings);
      renderConnections(data.connections);
      renderChannels(data.channels);
      renderConsumers(data.consumers);
      fillOptions();
    }

    function figure(label, value, sub) {
      return el('div', { class: 'figure' }, el('div', { class: 'label' }, label),
                el('div', { class: 'value' }, formatNumber(value)), el('div', { class: 'sub' }, sub || ''));
    }

    function plural(count, noun) { return formatNumber(count || 0) + ' ' + noun + (count === 1 ? '' : 's'); }

    function rate(details) { return details && typeof details.rate === 'number' ? details.rate : 0; }

    function renderFigures(overview) {
      const totals = overview.queue_totals || {};
      const objects = overview.object_totals || {};
      const stats = overview.message_stats || {};
      $('#figures').replaceChildren(
        figure('Ready', totals.messages_ready, 'messages waiting'),
        figure('Unacked', totals.messages_unacknowledged, 'delivered, not acked'),
        figure('Publish', rate(stats.publish_details), 'msg/s · ' + formatNumber(stats.publish) + ' total'),
        figure('Deliver', rate(stats.deliver_get_details), 'msg/s · ' + formatNumber(stats.deliver_get) + ' total'),
        figure('Connections', objects.connections, plural(objects.channels, 'channel')),
        figure('Queues', objects.queues, plural(objects.consumers, 'consumer')));
    }

    /// Rates between consecutive samples of a counter (samples arrive newest first).
    function ratesFrom(samples) {
      const points = (samples || []).slice().reverse();
      const result = [];
      for (let index = 1; index < points.length; index++) {
        const seconds = (points[index].timestamp - points[index - 1].timestamp) / 1000;
        if (seconds > 0) result.push([points[index].timestamp, Math.max(0, (points[index].sample - points[index - 1].sample) / seconds)]);
      }
      return result;
    }

    function levelsFrom(samples) {
      return (samples || []).slice().reverse().map((point) => [point.timestamp, point.sample]);
    }

    function renderCharts(overview) {
      const stats = overview.message_stats || {};
      const totals = overview.queue_totals || {};
      drawChart($('#chart-rates'), [
        { name: 'Publish', color: COLORS.publish, points: ratesFrom((stats.publish_details || {}).samples) },
        { name: 'Deliver', color: COLORS.deliver, points: ratesFrom((stats.deliver_get_details || {}).samples) },
        { name: 'Ack', color: COLORS.ack, dashed: true, points: ratesFrom((stats.ack_details || {}).samples) }]);
      drawChart($('#chart-depth'), [
        { name: 'Ready', color: COLORS.ready, points: levelsFrom((totals.messages_ready_details || {}).samples) },
        { name: 'Unacked', color: COLORS.unacked, points: levelsFrom((totals.messages_unacknowledged_details || {}).samples) }]);
    }

    function niceMaximum(value) {
      if (value <= 0) return 1;
      const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
      for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
      return 10 * magnitude;
    }

    function drawChart(container, series) {
      const width = Math.max(container.clientWidth, 300), height = 160;
      const left = 44, right = 8, top = 8, bottom = 22;
      const all = series.flatMap((line) => line.points);
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
      svg.setAttribute('preserveAspectRatio', 'none');
      const add = (parent, tag, attributes, text) => {
        const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
        for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
        if (text !== undefined) node.textContent = text;
        parent.append(node);
        return node;
      };
      const now = all.length ? Math.max(...all.map((p) => p[0])) : Date.now();
      const start = all.length ? Math.min(...all.map((p) => p[0])) : now - 60000;
      const span = Math.max(now - start, 1000);
      const maximum = niceMaximum(Math.max(0, ...all.map((p) => p[1])));
      const x = (t) => left + (t - start) / span * (width - left - right);
      const y = (v) => top + (1 - v / maximum) * (height - top - bottom);
      const grid = add(svg, 'g', { class: 'grid' });
      const axis = add(svg, 'g', { class: 'axis' });
      for (let step = 0; step <= 4; step++) {
        const value = maximum * step / 4;
        add(grid, 'line', { x1: left, x2: width - right, y1: y(value), y2: y(value) });
        add(axis, 'text', { x: left - 6, y: y(value) + 3, 'text-anchor': 'end' }, formatNumber(value));
      }
      const seconds = Math.round(span / 1000);
      add(axis, 'text', { x: left, y: height - 4 }, seconds >= 120 ? Math.round(seconds / 60) + ' min ago' : seconds + ' s ago');
      add(axis, 'text', { x: width - right, y: height - 4, 'text-anchor': 'end' }, 'now');
      for (const [index, line] of series.entries()) {
        if (line.points.length < 2) continue;
        const path = line.points.map((p, index) => (index ? 'L' : 'M') + x(p[0]).toFixed(1) + ' ' + y(p[1]).toFixed(1)).join(' ');
        const area = path + ` L${x(line.points[line.points.length - 1][0]).toFixed(1)} ${y(0)} L${x(line.points[0][0]).toFixed(1)} ${y(0)} Z`;
        if (index === 0) add(svg, 'path', { d: area, fill: line.color, 'fill-opacity': 0.08, stroke: 'none' });
        add(svg, 'path', { d: path, fill: 'none', stroke: line.color, 'stroke-width': 2, 'stroke-linejoin': 'round',
                           'stroke-dasharray': line.dashed ? '5 4' : 'none', 'vector-effect': 'non-scaling-stroke' });
      }
      if (!all.length) add(axis, 'text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'Collecting samples…');
      const legend = el('div', { class: 'legend' }, series.map((line) => {
        const last = line.points.length ? line.points[line.points.length - 1][1] : 0;
        return el('span', {}, el('i', { style: 'background:' + line.color }), line.name + ' ' + formatNumber(last));
      }));
      container.replaceChildren(svg, legend);
    }

    function table(selector, headings, rows, emptyText) {
      const head = el('thead', {}, el('tr', {}, headings.map((heading) =>
        el('th', { class: heading.startsWith('#') ? 'num' : '' }, heading.replace(/^#/, '')))));
      const body = el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { class: 'empty', colspan: headings.length }, emptyText)));
      $(selector).replaceChildren(head, body);
    }

    const num = (value) => el('td', { class: 'num' }, formatNumber(value));
    const button = (label, handler, style) => el('button', { class: 'small ' + (style || ''), type: 'button', onclick: handler }, label);

    function renderQueues(selector, queues, withActions) {
      const headings = ['Name', 'Features', '#Ready', '#Unacked', '#Total', '#Consumers', '#In/s', '#Out/s'];
      if (withActions) headings.push('');
      table(selector, headings, (queues || []).map((queue) => {
        const stats = queue.message_stats || {};
        const features = [queue.durable ? el('span', { class: 'tag' }, 'D') : null,
                          queue.auto_delete ? el('span', { class: 'tag amber' }, 'AD') : null,
                          queue.exclusive ? el('span', { class: 'tag amber' }, 'Excl') : null,
                          Object.keys(queue.arguments || {}).length ? el('span', { class: 'tag green' }, 'Args') : null];
        const cells = [el('td', { class: 'name' }, queue.name), el('td', {}, features),
                       num(queue.messages_ready), num(queue.messages_unacknowledged), num(queue.messages), num(queue.consumers),
                       num(rate(stats.publish_details)), num(rate(stats.deliver_get_details))];
        if (withActions) cells.push(el('td', { class: 'actions' },
          button('Get', () => { showTab('messages'); $('#get-messages').queue.value = queue.name; }),
          button('Purge', () => act('DELETE', `/queues/${enc(queue.vhost)}/${enc(queue.name)}/contents`, 'Purged ' + queue.name)),
          button('Delete', () => confirm(`Delete queue ${queue.name}?`) &&
            act('DELETE', `/queues/${enc(queue.vhost)}/${enc(queue.name)}`, 'Deleted ' + queue.name), 'danger')));
        return el('tr', { 'data-queue': queue.name }, cells);
      }), 'No queues yet.');
    }

    function exchangeLabel(name) { return name === '' ? '(default)' : name; }

    function renderExchanges(exchanges) {
      table('#exchanges', ['Name', 'Type', 'Features', ''], (exchanges || []).map((exchange) => el('tr', {},
        el('td', { class: 'name' }, exchangeLabel(exchange.name)), el('td', {}, exchange.type),
        el('td', {}, exchange.durable ? el('span', { class: 'tag' }, 'D') : null,
           exchange.internal ? el('span', { class: 'tag amber' }, 'I') : null),
        el('td', { class: 'actions' }, exchange.name === '' || exchange.name.startsWith('amq.') ? null :
          button('Delete', () => confirm(`Delete exchange ${exchange.name}?`) &&
            act('DELETE', `/exchanges/${enc(exchange.vhost)}/${enc(exchange.name)}`, 'Deleted ' + exchange.name), 'danger')))),
        'No exchanges.');
    }

    function renderBindings(bindings) {
      table('#bindings', ['From', 'To', 'Routing key', 'Arguments', ''], (bindings || []).map((binding) => el('tr', {},
        el('td', {}, exchangeLabel(binding.source)), el('td', { class: 'name' }, binding.destination),
        el('td', { class: 'mono' }, binding.routing_key), el('td', { class: 'mono' }, JSON.stringify(binding.arguments || {})),
        el('td', { class: 'actions' }, binding.source === '' ? null : button('Unbind', () => act('DELETE',
          `/bindings/${enc(binding.vhost)}/e/${enc(binding.source)}/${binding.destination_type === 'queue' ? 'q' : 'e'}/` +
          `${enc(binding.destination)}/${enc(binding.properties_key)}`, 'Binding removed'), 'danger')))),
        'No bindings.');
    }

    function renderConnections(connections) {
      table('#connections', ['Name', 'User', 'Vhost', 'Client', '#Channels', '#Heartbeat', ''], (connections || []).map((connection) => {
        const client = connection.client_properties || {};
        return el('tr', {}, el('td', { class: 'name mono' }, connection.name), el('td', {}, connection.user),
          el('td', {}, connection.vhost), el('td', {}, [client.product, client.version].filter(Boolean).join(' ') || '–'),
          num(connection.channels), num(connection.timeout),
          el('td', { class: 'actions' }, button('Close', () => confirm('Close this connection?') &&
            act('DELETE', `/connections/${enc(connection.name)}`, 'Connection closed'), 'danger')));
      }), 'No AMQP connections.');
    }

    function renderChannels(channels) {
      table('#channels', ['Channel', 'User', '#Consumers', '#Unacked', '#Prefetch', 'Mode'], (channels || []).map((channel) =>
        el('tr', {}, el('td', { class: 'mono' }, channel.name), el('td', {}, channel.user), num(channel.consumer_count),
          num(channel.messages_unacknowledged), num(channel.prefetch_count),
          el('td', {}, channel.confirm ? 'confirm' : channel.transactional ? 'tx' : '–'))), 'No channels.');
    }

    function renderConsumers(consumers) {
      table('#consumers', ['Tag', 'Queue', 'Channel', 'Ack', '#Prefetch'], (consumers || []).map((consumer) =>
        el('tr', {}, el('td', { class: 'mono' }, consumer.consumer_tag), el('td', { class: 'name' }, consumer.queue.name),
          el('td', { class: 'mono' }, consumer.channel_details.name), el('td', {}, consumer.ack_required ? 'manual' : 'auto'),
          num(consumer.prefetch_count))), 'No consumers.');
    }

    /// Keeps each select's choice while its options follow the broker.
    function fillOptions() {
      for (const select of document.querySelectorAll('select[data-options]')) {
        const chosen = select.value;
        const names = select.dataset.options === 'queues'
          ? (W.data.queues || []).map((queue) => queue.name)
          : (W.data.exchanges || []).filter((exchange) => !exchange.internal && !(select.name === 'source' && exchange.name === ''))
              .map((exchange) => exchange.name === '' ? 'amq.default' : exchange.name);
        select.replaceChildren(...names.map((name) => el('option', { value: name }, name === 'amq.default' ? '(default exchange)' : name)));
        if (names.includes(chosen)) select.value = chosen;
      }
    }
    """#
}
