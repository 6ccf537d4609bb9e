/// The dashboard's HTML: the login form, the overview (figures and live
/// charts), the tables, and the forms. Behaviour is in `DashboardScript`,
/// looks in `DashboardStyle`; nothing is loaded from anywhere else.
enum DashboardPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Warren</title>
    <link rel="stylesheet" href="/static/dashboard.css">
    </head>
    <body>
    <header class="topbar">
      <div class="brand"><span class="mark">W</span><span>Warren</span><small id="version"></small></div>
      <nav id="tabs" hidden>
        <button data-tab="overview" class="active">Overview</button>
        <button data-tab="queues">Queues</button>
        <button data-tab="exchanges">Exchanges</button>
        <button data-tab="connections">Connections</button>
        <button data-tab="messages">Publish &amp; get</button>
      </nav>
      <div class="session" id="session" hidden><span id="node"></span><span id="whoami"></span>
        <button id="logout" class="link">Log out</button></div>
    </header>

    <section id="login" class="login" hidden>
      <form id="login-form" class="card narrow">
        <h1>Sign in to Warren</h1>
        <p class="muted">Use a broker user, as for AMQP. <code>guest</code> works from this machine only.</p>
        <label>User <input name="user" autocomplete="username" required></label>
        <label>Password <input name="pass" type="password" autocomplete="current-password" required></label>
        <button type="submit" class="primary">Sign in</button>
        <p class="error" id="login-error"></p>
      </form>
    </section>

    <main id="app" hidden>
      <section data-view="overview">
        <div class="figures" id="figures"></div>
        <div class="charts">
          <div class="card"><div class="card-head"><h2>Message rates</h2><span class="muted">per second</span></div>
            <div id="chart-rates" class="chart"></div></div>
          <div class="card"><div class="card-head"><h2>Queued messages</h2><span class="muted">ready and unacknowledged</span></div>
            <div id="chart-depth" class="chart"></div></div>
        </div>
        <div class="card"><div class="card-head"><h2>Queues</h2><span class="muted" id="queue-count"></span></div>
          <div class="table-wrap"><table id="overview-queues"></table></div></div>
      </section>

      <section data-view="queues" hidden>
        <div class="card"><div class="card-head"><h2>Queues</h2></div>
          <div class="table-wrap"><table id="queues"></table></div></div>
        <form class="card form" id="declare-queue">
          <h2>Add a queue</h2>
          <div class="row">
            <label>Name <input name="name" required placeholder="orders"></label>
            <label>Arguments <input name="arguments" placeholder='{"x-max-length": 1000}'></label>
            <label class="check"><input type="checkbox" name="durable" checked> Durable</label>
            <label class="check"><input type="checkbox" name="auto_delete"> Auto-delete</label>
            <button class="primary" type="submit">Add queue</button>
          </div>
        </form>
        <div class="card"><div class="card-head"><h2>Consumers</h2></div>
          <div class="table-wrap"><table id="consumers"></table></div></div>
      </section>

      <section data-view="exchanges" hidden>
        <div class="card"><div class="card-head"><h2>Exchanges</h2></div>
          <div class="table-wrap"><table id="exchanges"></table></div></div>
        <div class="two">
          <form class="card form" id="declare-exchange">
            <h2>Add an exchange</h2>
            <label>Name <input name="name" required placeholder="events"></label>
            <label>Type <select name="type"><option>direct</option><option>fanout</option><option>topic</option>
              <option>headers</option></select></label>
            <label class="check"><input type="checkbox" name="durable" checked> Durable</label>
            <button class="primary" type="submit">Add exchange</button>
          </form>
          <form class="card form" id="add-binding">
            <h2>Add a binding</h2>
            <label>From exchange <select name="source" data-options="exchanges"></select></label>
            <label>To queue <select name="queue" data-options="queues"></select></label>
            <label>Routing key <input name="routing_key" placeholder="orders.*"></label>
            <button class="primary" type="submit">Bind</button>
          </form>
        </div>
        <div class="card"><div class="card-head"><h2>Bindings</h2></div>
          <div class="table-wrap"><table id="bindings"></table></div></div>
      </section>

      <section data-view="connections" hidden>
        <div class="card"><div class="card-head"><h2>Connections</h2></div>
          <div class="table-wrap"><table id="connections"></table></div></div>
        <div class="card"><div class="card-head"><h2>Channels</h2></div>
          <div class="table-wrap"><table id="channels"></table></div></div>
      </section>

      <section data-view="messages" hidden>
        <div class="two">
          <form class="card form" id="publish">
            <h2>Publish a message</h2>
            <label>Exchange <select name="exchange" data-options="exchanges"></select></label>
            <label>Routing key <input name="routing_key" placeholder="queue name for the default exchange"></label>
            <label>Payload <textarea name="payload" rows="4" placeholder="Hello, Warren"></textarea></label>
            <div class="row">
              <label>Message id <input name="message_id" placeholder="assigned by Warren"></label>
              <label>Priority <input name="priority" type="number" min="0" max="255"></label>
              <label>Content type <input name="content_type" placeholder="text/plain"></label>
            </div>
            <label>Headers <input name="headers" placeholder='{"tenant": "acme"}'></label>
            <label class="check"><input type="checkbox" name="persistent"> Persistent (delivery mode 2)</label>
            <button class="primary" type="submit">Publish</button>
            <p class="result" id="publish-result"></p>
          </form>
          <form class="card form" id="get-messages">
            <h2>Get messages</h2>
            <label>Queue <select name="queue" data-options="queues"></select></label>
            <div class="row">
              <label>Count <input name="count" type="number" min="1" max="100" value="5"></label>
              <label>Mode <select name="ackmode">
                <option value="ack_requeue_true">Peek (requeue)</option>
                <option value="ack_requeue_false">Take (acknowledge)</option>
                <option value="reject_requeue_false">Drop (reject)</option></select></label>
            </div>
            <button class="primary" type="submit">Get messages</button>
            <div id="got-messages" class="messages"></div>
          </form>
        </div>
      </section>
    </main>
    <div id="toasts" class="toasts" aria-live="polite"></div>
    <script src="/static/dashboard.js"></script>
    </body>
    </html>
    """#
}
