/// The dashboard's stylesheet: a light, quiet theme with one accent colour.
enum DashboardStyle {
    static let css = #"""
    :root {
      --bg: #f4f6fa; --card: #ffffff; --ink: #1c2333; --muted: #6b7489; --line: #e3e7ef;
      --accent: #4f46e5; --accent-soft: #eef0ff; --green: #0f9d74; --amber: #d98a06; --red: #d1435b;
      --radius: 10px; --shadow: 0 1px 2px rgba(16, 24, 40, .06), 0 1px 3px rgba(16, 24, 40, .08);
    }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--ink);
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
    h1 { font-size: 20px; margin: 0 0 6px; }
    h2 { font-size: 14px; margin: 0; font-weight: 600; letter-spacing: .01em; }
    .muted { color: var(--muted); font-size: 12.5px; }
    [hidden] { display: none !important; }

    .topbar { display: flex; align-items: center; gap: 28px; padding: 0 28px; height: 56px;
      background: #151a2d; color: #e8eaf3; position: sticky; top: 0; z-index: 5; }
    .brand { display: flex; align-items: center; gap: 10px; font-weight: 650; font-size: 16px; }
    .brand small { color: #8f97b3; font-weight: 500; font-size: 12px; }
    .mark { width: 28px; height: 28px; border-radius: 8px; display: grid; place-items: center; font-size: 15px;
      background: linear-gradient(135deg, #6366f1, #22c3a6); color: white; }
    nav { display: flex; gap: 4px; height: 100%; }
    nav button { background: none; border: 0; color: #aab1cc; padding: 0 14px; font: inherit; cursor: pointer;
      border-bottom: 2px solid transparent; height: 100%; }
    nav button:hover { color: white; }
    nav button.active { color: white; border-bottom-color: #818cf8; }
    .session { margin-left: auto; display: flex; gap: 14px; align-items: center; color: #aab1cc; font-size: 13px; }
    .session #whoami { color: white; }
    .link { background: none; border: 0; color: #a5b4fc; cursor: pointer; font: inherit; padding: 0; }

    main { padding: 24px 28px 48px; max-width: 1440px; margin: 0 auto; }
    section { display: grid; gap: 18px; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius);
      box-shadow: var(--shadow); padding: 16px 18px; min-width: 0; }
    .card-head { display: flex; align-items: baseline; justify-content: space-between; margin-bottom: 10px; }
    .two { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; align-items: start; }
    .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }

    .figures { display: grid; grid-template-columns: repeat(6, 1fr); gap: 14px; }
    .figure { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius);
      box-shadow: var(--shadow); padding: 14px 16px; }
    .figure .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .06em; }
    .figure .value { font-size: 26px; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; }
    .figure .sub { color: var(--muted); font-size: 12px; }

    .chart { height: 190px; }
    .chart svg { width: 100%; height: 100%; display: block; overflow: visible; }
    .chart .grid line { stroke: var(--line); }
    .chart .axis text { fill: var(--muted); font-size: 10.5px; }
    .legend { display: flex; gap: 14px; margin-top: 6px; font-size: 12px; color: var(--muted); }
    .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 5px;
      vertical-align: -1px; }

    .table-wrap { overflow-x: auto; }
    table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th { text-align: left; font-weight: 600; color: var(--muted); font-size: 11.5px; text-transform: uppercase;
      letter-spacing: .05em; padding: 8px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
    td { padding: 9px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
    tr:last-child td { border-bottom: 0; }
    tbody tr:hover { background: #fafbff; }
    td.num, th.num { text-align: right; }
    td.empty { color: var(--muted); text-align: center; padding: 22px; }
    .name { font-weight: 600; }
    .tag { display: inline-block; padding: 1px 7px; border-radius: 999px; font-size: 11.5px; margin-right: 4px;
      background: var(--accent-soft); color: var(--accent); }
    .tag.green { background: #e6f6f0; color: var(--green); }
    .tag.amber { background: #fdf3e1; color: var(--amber); }
    .actions { text-align: right; }
    .actions button { margin-left: 6px; }

    button, .button { font: inherit; border-radius: 7px; border: 1px solid var(--line); background: white;
      color: var(--ink); padding: 6px 12px; cursor: pointer; }
    button:hover { border-color: #c8cfdd; }
    button.primary { background: var(--accent); border-color: var(--accent); color: white; font-weight: 600; }
    button.primary:hover { background: #4338ca; }
    button.danger { color: var(--red); }
    button.small { padding: 3px 9px; font-size: 12.5px; }

    .form { display: grid; gap: 12px; align-content: start; }
    .form .row { display: flex; gap: 12px; flex-wrap: wrap; align-items: end; }
    .form .row label { flex: 1 1 150px; }
    label { display: grid; gap: 4px; font-size: 12.5px; color: var(--muted); font-weight: 500; }
    label.check { display: flex; gap: 6px; align-items: center; color: var(--ink); flex: 0 0 auto !important; }
    input, select, textarea { font: inherit; color: var(--ink); border: 1px solid #d5dae5; border-radius: 7px;
      padding: 7px 9px; background: white; min-width: 0; }
    input:focus, select:focus, textarea:focus { outline: 2px solid #c7d2fe; border-color: var(--accent); }
    textarea { resize: vertical; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
    .result { margin: 0; min-height: 18px; font-size: 13px; }
    .result.ok { color: var(--green); }
    .result.bad, .error { color: var(--red); }

    .messages { display: grid; gap: 10px; }
    .message { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fbfcfe; }
    .message pre { margin: 6px 0 0; white-space: pre-wrap; word-break: break-all; font-size: 12.5px; }
    .message .meta { display: flex; gap: 10px; flex-wrap: wrap; color: var(--muted); font-size: 12px; }

    .login { display: grid; place-items: center; padding: 80px 20px; }
    .narrow { width: 360px; display: grid; gap: 12px; }

    .toasts { position: fixed; right: 20px; bottom: 20px; display: grid; gap: 8px; z-index: 10; }
    .toast { background: #151a2d; color: white; padding: 10px 14px; border-radius: 8px; box-shadow: var(--shadow);
      font-size: 13px; max-width: 380px; }
    .toast.bad { background: var(--red); }

    @media (max-width: 1100px) {
      .figures { grid-template-columns: repeat(3, 1fr); }
      .charts, .two { grid-template-columns: 1fr; }
    }
    """#
}
