// Telos web UI: a plain ES module served by the API server, no build step. Pages are drawn from
// the API's JSON; the status event stream (/api/v1/events) keeps them live. Text from the API is
// only ever set as text (never parsed as HTML).

const main = document.getElementById("main");
const live = document.getElementById("live");

/** Creates an element: h("td", {class: "x"}, "text", childNode, ...). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const state = { status: null, apps: null, history: null, token: sessionStorage.getItem("telos-token") };

async function getJson(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  if (!r.ok) {
    let message = r.status + " " + r.statusText;
    try { message = (await r.json()).error || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return r.json();
}

// --- formatting --------------------------------------------------------------------------------

const GOOD = ["Synced", "Healthy", "Succeeded", "TASK_RUNNING", "SUBSCRIBED", "Scheduled"];
const BAD = ["Degraded", "Failed", "Error", "Invalid", "TASK_FAILED", "TASK_LOST", "TASK_ERROR", "DISCONNECTED", "Missing", "RolledBack"];
const INFO = ["Suspended", "PruneHeld", "Superseded"];

function badge(text) {
  const t = text ?? "Unknown";
  const cls = GOOD.includes(t) ? "s-good" : BAD.includes(t) ? "s-bad" : INFO.includes(t) ? "s-info"
    : t === "Unknown" ? "s-none" : "s-warn";
  return h("span", { class: "badge " + cls }, t);
}

const short = (sha) => (sha ? sha.slice(0, 7) : "—");

function ago(iso) {
  if (!iso) return "—";
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return Math.max(s, 0) + "s ago";
  if (s < 3600) return Math.round(s / 60) + "m ago";
  if (s < 86400) return Math.round(s / 3600) + "h ago";
  return Math.round(s / 86400) + "d ago";
}

function time(iso) {
  return iso ? h("time", { datetime: iso, title: iso }, ago(iso)) : "—";
}

function duration(from, to) {
  if (!from || !to) return "—";
  const ms = new Date(to) - new Date(from);
  return ms < 1000 ? ms + " ms" : (ms / 1000).toFixed(1) + " s";
}

/** A link to the commit on the repository's web host (GitHub, GitLab, Gitea), or null. */
function commitUrl(sha) {
  const repo = state.status && state.status.repository;
  if (!repo || !sha) return null;
  let m = repo.match(/^(?:https?:\/\/|ssh:\/\/)?(?:[^@/]+@)?([^/:]+)[:/](.+?)(?:\.git)?\/?$/);
  if (!m || repo.startsWith("file:") || repo.startsWith("/")) return null;
  const host = m[1];
  const path = m[2].replace(/^\d+\//, "");
  if (host.includes("gitlab")) return `https://${host}/${path}/-/commit/${sha}`;
  return `https://${host}/${path}/commit/${sha}`;
}

function revisionLink(sha) {
  const url = commitUrl(sha);
  const text = h("code", {}, short(sha));
  return url ? h("a", { href: url, rel: "noreferrer", target: "_blank" }, text) : text;
}

function table(headers, rows, empty) {
  if (rows.length === 0) return h("p", { class: "muted" }, empty);
  return h("div", { class: "table-wrap" },
    h("table", {},
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col", class: x.cls }, x.label ?? x)))),
      h("tbody", {}, rows)));
}

// --- pages -------------------------------------------------------------------------------------

function overview() {
  const s = state.status;
  const apps = state.apps || [];
  const out = [h("h1", {}, "Overview")];
  if (!s) return out.concat(h("p", { class: "muted" }, "Loading…"));
  const newest = (state.history || []).find((r) => r.revision === s.revision);
  out.push(h("div", { class: "cards" },
    h("section", { class: "card", "aria-label": "Sync status" }, h("h2", {}, "Sync"),
      h("div", { class: "big", id: "overview-sync" }, badge(s.syncStatus)),
      s.syncBlocked ? h("div", { class: "muted" }, "New commits wait: " + s.syncBlocked) : null),
    h("section", { class: "card", "aria-label": "Health" }, h("h2", {}, "Health"),
      h("div", { class: "big", id: "overview-health" }, badge(s.health))),
    h("section", { class: "card", "aria-label": "Revision" }, h("h2", {}, "Revision"),
      h("div", { class: "big", id: "overview-revision" }, revisionLink(s.revision)),
      newest ? h("div", {}, newest.message) : null,
      newest ? h("div", { class: "muted" }, newest.author, " · ", time(newest.startedAt)) : null,
      s.pendingRevision ? h("div", { class: "muted" }, "waiting: ", h("code", {}, short(s.pendingRevision))) : null),
    h("section", { class: "card", "aria-label": "Mesos" }, h("h2", {}, "Mesos"),
      h("div", { class: "big", id: "overview-mesos" }, badge(s.mesosConnection)),
      h("div", { class: "muted" }, s.leader ? "this instance leads" : "standby; leader " + (s.leaderAddress || "unknown")),
      s.frameworkId ? h("div", { class: "muted mono" }, s.frameworkId) : null)));
  if (s.lastError) {
    const e = s.lastError;
    const where = e.file ? [e.file, e.line, e.column].filter((x) => x !== null && x !== undefined).join(":") + ": " : "";
    out.push(h("div", { class: "error", role: "alert", id: "overview-error" },
      h("strong", {}, "Last error"), e.revision ? [" at ", h("code", {}, short(e.revision))] : null, h("br"),
      h("span", { class: "mono" }, where + e.message)));
  }
  if (s.heldPrune) {
    out.push(h("div", { class: "notice", id: "overview-prune" }, h("strong", {}, "Prune held: "), s.heldPrune));
  }
  const byStatus = count(apps.map((a) => a.status));
  const byState = count(apps.flatMap((a) => (a.tasks || []).map((t) => t.state)));
  out.push(h("h2", {}, "Apps by status"),
    table(["Status", "Apps"], Object.entries(byStatus).map(([k, n]) =>
      h("tr", {}, h("td", {}, h("a", { href: "#/apps?status=" + encodeURIComponent(k) }, badge(k))), h("td", {}, n))), "No apps."),
    h("h2", {}, "Tasks by state"),
    table(["State", "Tasks"], Object.entries(byState).map(([k, n]) => h("tr", {}, h("td", {}, badge(k)), h("td", {}, n))), "No tasks."));
  return out;
}

function count(values) {
  const out = {};
  for (const v of values) out[v] = (out[v] || 0) + 1;
  return Object.fromEntries(Object.entries(out).sort());
}

function appsPage(params) {
  if (!state.apps) return [h("h1", {}, "Apps"), h("p", { class: "muted" }, "Loading…")];
  const apps = state.apps;
  const ns = params.get("ns") || "";
  const st = params.get("status") || "";
  const q = (params.get("q") || "").toLowerCase();
  const setParam = (k, v) => {
    params.set(k, v);
    if (!v) params.delete(k);
    const qs = params.toString();
    history.replaceState(null, "", "#/apps" + (qs ? "?" + qs : ""));
    render();
  };
  const namespaces = [...new Set(apps.map((a) => a.namespace))].sort();
  const statuses = [...new Set(apps.map((a) => a.status))].sort();
  const shown = apps.filter((a) => (!ns || a.namespace === ns) && (!st || a.status === st)
    && (!q || (a.namespace + "/" + a.name).toLowerCase().includes(q)));
  const search = h("input", { type: "search", id: "apps-search", value: params.get("q") || "", placeholder: "namespace/name" });
  search.addEventListener("change", () => setParam("q", search.value));
  search.addEventListener("keyup", (e) => { if (e.key === "Enter") setParam("q", search.value); });
  const select = (id, label, value, options, key) => {
    const el = h("select", { id }, h("option", { value: "" }, "all"),
      options.map((o) => h("option", { value: o, selected: o === value }, o)));
    el.addEventListener("change", () => setParam(key, el.value));
    return h("label", {}, label, el);
  };
  return [
    h("h1", {}, "Apps ", h("span", { class: "muted", id: "apps-count" }, `${shown.length} of ${apps.length}`)),
    h("div", { class: "filters", role: "search" },
      select("apps-namespace", "Namespace", ns, namespaces, "ns"),
      select("apps-status", "Status", st, statuses, "status"),
      h("label", {}, "Search", search)),
    table(["Namespace", "Name", { label: "Kind", cls: "hide-narrow" }, { label: "Release", cls: "hide-narrow" },
      "Running / healthy / desired", "Status", "Health", { label: "Revision", cls: "hide-narrow" }],
      shown.map((a) => h("tr", { "data-app": a.namespace + "/" + a.name },
        h("td", {}, a.namespace),
        h("td", {}, h("a", { href: `#/apps/${encodeURIComponent(a.namespace)}/${encodeURIComponent(a.name)}` }, a.name)),
        h("td", { class: "hide-narrow" }, a.kind),
        h("td", { class: "hide-narrow" }, (a.labels || {})["telos.dev/release"] || "—"),
        h("td", { class: "instances" }, `${a.runningInstances} / ${a.healthyInstances} / ${a.desiredInstances}`),
        h("td", {}, badge(a.status)),
        h("td", {}, badge(a.health)),
        h("td", { class: "hide-narrow" }, revisionLink(a.revision)))),
      "No app matches."),
  ];
}

function appPage(namespace, name) {
  const a = (state.apps || []).find((x) => x.namespace === namespace && x.name === name);
  if (!a) {
    return [h("h1", {}, namespace + "/" + name), h("p", { class: "muted" }, state.apps ? "No such app." : "Loading…")];
  }
  const out = [
    h("h1", {}, h("span", { class: "muted" }, a.namespace + "/"), a.name, " ", badge(a.status), " ", badge(a.health)),
    h("dl", { class: "facts" },
      h("dt", {}, "Kind"), h("dd", {}, a.kind),
      h("dt", {}, "Instances"), h("dd", { id: "app-instances" }, `${a.runningInstances} running, ${a.healthyInstances} healthy, ${a.desiredInstances} desired`),
      h("dt", {}, "Sync"), h("dd", {}, badge(a.syncStatus)),
      h("dt", {}, "Revision"), h("dd", {}, revisionLink(a.revision)),
      h("dt", {}, "Spec"), h("dd", {}, h("code", {}, a.specHash || "—")),
      a.message ? [h("dt", {}, "Message"), h("dd", {}, a.message)] : null,
      a.restartFailures ? [h("dt", {}, "Restart failures"), h("dd", {}, a.restartFailures, a.nextLaunchAt ? [" · next launch ", time(a.nextLaunchAt)] : null)] : null,
      a.lastFailure ? [h("dt", {}, "Last failure"), h("dd", {}, `${a.lastFailure.state}: ${a.lastFailure.message || a.lastFailure.reason || ""}`, " ", time(a.lastFailure.at))] : null,
      Object.keys(a.labels || {}).length ? [h("dt", {}, "Labels"), h("dd", { class: "mono" }, Object.entries(a.labels).map(([k, v]) => k + "=" + v).join(", "))] : null),
    h("h2", {}, "Tasks"),
    table(["Task", "State", { label: "Agent", cls: "hide-narrow" }, "Address", "Health", { label: "Age", cls: "hide-narrow" }, "Logs"],
      (a.tasks || []).map((t) => h("tr", { "data-task": t.id },
        h("td", { class: "mono" }, t.id, t.killRequestedAt ? h("div", { class: "muted" }, "kill asked ", time(t.killRequestedAt)) : null),
        h("td", {}, badge(t.state), t.recovering ? h("div", { class: "muted" }, "recovering") : null),
        h("td", { class: "hide-narrow mono" }, t.agentId || "—"),
        h("td", {}, addresses(t)),
        h("td", {}, t.healthy === true ? badge("Healthy") : t.healthy === false ? badge("Degraded") : h("span", { class: "muted" }, "—"),
          t.ready === false ? h("div", { class: "muted" }, "not ready") : null),
        h("td", { class: "hide-narrow" }, time(t.launchedAt)),
        h("td", {},
          h("button", { type: "button", class: "log-button", "data-path": "stdout", onclick: () => openLog(t.id, "stdout") }, "stdout"), " ",
          h("button", { type: "button", class: "log-button", "data-path": "stderr", onclick: () => openLog(t.id, "stderr") }, "stderr")))),
      "No tasks."),
    h("section", { id: "log-panel", "aria-live": "off" }),
  ];
  if ((a.runs || []).length) {
    out.push(h("h2", {}, "Runs"), table(["Task", "Started", "Finished", "Result", "Message"],
      a.runs.map((r) => h("tr", {}, h("td", { class: "mono" }, r.taskId || "—"), h("td", {}, time(r.startedAt)),
        h("td", {}, time(r.finishedAt)), h("td", {}, badge(r.result)), h("td", {}, r.message || ""))), ""));
  }
  // The commits that added or changed this app (a record keeps at most 500 app keys: one that
  // changed more apps than it names may have changed this one too).
  const key = a.namespace + "/" + a.name;
  const rollouts = (state.history || []).filter((r) => r.result !== "Invalid"
    && ((r.apps || []).includes(key) || (r.appsChanged || 0) > (r.apps || []).length)).slice(0, 20);
  out.push(h("h2", {}, "Rollouts"), table(["Revision", "Message", "Result", "Launched", "Killed", "When"],
    rollouts.map((r) => h("tr", { "data-rollout": r.revision }, h("td", {}, revisionLink(r.revision)), h("td", {}, r.message),
      h("td", {}, badge(r.result)), h("td", {}, r.launched), h("td", {}, r.killed), h("td", {}, time(r.startedAt)))),
    "No rollouts yet."));
  const spec = h("pre", { id: "app-spec", class: "mono" }, "Loading…");
  out.push(h("h2", {}, "Spec"), spec);
  getJson(`/api/v1/apps/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/spec`)
    .then((s) => { spec.textContent = s.yaml; })
    .catch((e) => { spec.textContent = "The spec cannot be shown: " + e.message; });
  return out;
}

function addresses(t) {
  if (!t.host) return "—";
  if (!t.ports || t.ports.length === 0) return h("span", { class: "mono" }, t.host);
  return t.ports.map((p, i) => [i ? " " : null,
    h("a", { href: `http://${t.host}:${p}/`, rel: "noreferrer", target: "_blank", class: "mono" }, `${t.host}:${p}`)]);
}

// --- logs: tail, then follow through the API's files proxy ----------------------------------------

let follow = null;

function stopFollowing() {
  if (follow) { follow.close(); follow = null; }
}

async function openLog(taskId, path) {
  stopFollowing();
  const panel = document.getElementById("log-panel");
  if (!panel) return;
  const pre = h("pre", { id: "log-text", class: "mono", tabindex: "0" }, "Loading…");
  const followBox = h("input", { type: "checkbox", id: "log-follow" });
  panel.replaceChildren(
    h("h2", {}, `${path} of `, h("code", {}, taskId)),
    h("div", { class: "log-controls" }, h("label", {}, followBox, " Follow"),
      h("button", { type: "button", onclick: () => { stopFollowing(); panel.replaceChildren(); } }, "Close")),
    pre);
  const q = `task=${encodeURIComponent(taskId)}&path=${encodeURIComponent(path)}`;
  let offset = 0;
  try {
    const size = (await getJson(`/api/v1/files/read?${q}&offset=-1`)).offset;
    offset = Math.max(0, size - 65536);
    const chunk = await getJson(`/api/v1/files/read?${q}&offset=${offset}&length=65536`);
    pre.textContent = (offset > 0 ? "…\n" : "") + chunk.data;
    offset = chunk.offset + new TextEncoder().encode(chunk.data).length;
    pre.scrollTop = pre.scrollHeight;
  } catch (e) {
    pre.textContent = "The log cannot be read: " + e.message;
    return;
  }
  followBox.addEventListener("change", () => {
    stopFollowing();
    if (!followBox.checked) return;
    follow = new EventSource(`/api/v1/files/follow?${q}&offset=${offset}`);
    follow.addEventListener("data", (ev) => {
      const d = JSON.parse(ev.data);
      pre.append(d.data);
      offset = d.offset + new TextEncoder().encode(d.data).length;
      pre.scrollTop = pre.scrollHeight;
    });
  });
}

function historyPage() {
  if (!state.history) return [h("h1", {}, "History"), h("p", { class: "muted" }, "Loading…")];
  const rows = state.history;
  return [
    h("h1", {}, "History"),
    table(["When", "Revision", "Author", "Message", "Result", { label: "Took", cls: "hide-narrow" }, "Launched", "Killed", { label: "Health", cls: "hide-narrow" }],
      rows.map((r) => h("tr", { "data-revision": r.revision },
        h("td", {}, time(r.startedAt)),
        h("td", {}, revisionLink(r.revision)),
        h("td", {}, r.author || "—"),
        h("td", {}, r.message || "", r.error ? h("div", { class: "error mono" }, r.error) : null,
          (r.rollbacks || []).map((x) => h("div", { class: "notice" }, "rolled back: " + x))),
        h("td", {}, badge(r.result)),
        h("td", { class: "hide-narrow" }, duration(r.startedAt, r.finishedAt)),
        h("td", {}, r.launched),
        h("td", {}, r.killed),
        h("td", { class: "hide-narrow" }, r.health ? badge(r.health) : "—"))),
      "No commit seen yet."),
  ];
}

// --- plan: what a sync of a branch or revision would do -------------------------------------------

const plans = {};

function planPage(params) {
  const revision = params.get("revision") || "";
  const input = h("input", { id: "plan-revision", value: revision, placeholder: "branch, tag or SHA", required: true });
  const form = h("form", { class: "filters", id: "plan-form" },
    h("label", {}, "Revision", input), h("button", { type: "submit", class: "primary" }, "Plan"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    delete plans[input.value];
    location.hash = "#/plan?revision=" + encodeURIComponent(input.value);
  });
  const out = [h("h1", {}, "Plan"),
    h("p", { class: "muted" }, "What a sync of a revision would do against what runs now: launches, kills, scaling,"
      + " rollouts and prunes, as telos plan -o markdown says it. Nothing is changed."), form];
  if (!revision) return out;
  const result = h("section", { id: "plan-result", "aria-live": "polite" });
  out.push(result);
  const shown = plans[revision];
  if (shown) {
    showPlan(result, shown);
  } else {
    result.append(h("p", { class: "muted" }, "Planning " + revision + "…"));
    getJson("/api/v1/plan?revision=" + encodeURIComponent(revision))
      .then((p) => { plans[revision] = p; showPlan(result, p); })
      .catch((e) => result.replaceChildren(h("div", { class: "error", role: "alert" }, e.message)));
  }
  return out;
}

function showPlan(el, p) {
  const verdict = p.exitCode === 0 ? "no change" : p.exitCode === 2 ? "changes" : "cannot be planned";
  const pre = h("pre", { id: "plan-text", class: "mono diff" },
    p.markdown.split("\n").map((line) => h("span", {
      class: /^\+/.test(line) ? "add" : /^-/.test(line) ? "del" : /^(#|\|)/.test(line) ? "head" : null,
    }, line + "\n")));
  el.replaceChildren(
    h("p", { id: "plan-verdict" }, badge(p.exitCode === 0 ? "Synced" : p.exitCode === 2 ? "OutOfSync" : "Error"), " ", verdict),
    pre);
}

// --- routing, live updates, sync ---------------------------------------------------------------

function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query || "") };
}

function render() {
  const { parts, params } = route();
  const page = parts[0] || "overview";
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.page === page) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  // A redraw keeps what the user is typing: the focused field, its text and caret.
  const active = document.activeElement;
  const focused = active && active.id;
  const typing = active && active.tagName === "INPUT" && active.type !== "checkbox"
    ? { value: active.value, at: active.selectionStart } : null;
  let content;
  if (page === "apps" && parts.length === 3) content = appPage(parts[1], parts[2]);
  else if (page === "apps") content = appsPage(params);
  else if (page === "history") content = historyPage();
  else if (page === "plan") content = planPage(params);
  else content = overview();
  if (!(page === "apps" && parts.length === 3 && document.getElementById("log-panel"))) {
    main.replaceChildren(...content);
  } else {
    // Keep an open log while the rest of the app's page is redrawn.
    const panel = document.getElementById("log-panel");
    const fresh = content.map((c) => (c.id === "log-panel" ? panel : c));
    main.replaceChildren(...fresh);
  }
  document.title = "Telos · " + (parts.length === 3 ? parts[1] + "/" + parts[2] : page[0].toUpperCase() + page.slice(1));
  if (focused) {
    const el = document.getElementById(focused);
    if (el) {
      if (typing && el.tagName === "INPUT") {
        el.value = typing.value;
        el.setSelectionRange(typing.at, typing.at);
      }
      el.focus();
    }
  }
}

let refreshing = null;
let again = false;

/** Fetches apps and history again; at most one fetch at a time, one more queued behind it. */
function refresh() {
  if (refreshing) { again = true; return refreshing; }
  refreshing = Promise.all([getJson("/api/v1/apps"), getJson("/api/v1/history")])
    .then(([apps, hist]) => { state.apps = apps; state.history = hist; render(); })
    .catch((e) => { live.textContent = "cannot read the API: " + e.message; })
    .finally(() => {
      refreshing = null;
      if (again) { again = false; refresh(); }
    });
  return refreshing;
}

function connect() {
  const events = new EventSource("/api/v1/events");
  events.addEventListener("open", () => { live.textContent = "live"; live.dataset.state = "live"; });
  events.addEventListener("status", (ev) => {
    state.status = JSON.parse(ev.data);
    live.textContent = "live · updated " + new Date().toLocaleTimeString();
    live.dataset.state = "live";
    refresh();
  });
  events.addEventListener("error", () => {
    // The browser reconnects by itself; say so meanwhile.
    live.textContent = "reconnecting…";
    live.dataset.state = "reconnecting";
  });
}

async function sync(token) {
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const r = await fetch("/api/v1/sync", { method: "POST", headers });
  if (r.status === 401 || r.status === 403) return false;
  if (!r.ok) throw new Error((await r.json()).error || r.statusText);
  live.textContent = "sync requested (request " + (await r.json()).request + ")";
  return true;
}

/** Asks for the API token in the dialog; resolves to it, or to null when cancelled. */
function askToken(why, action) {
  const dialog = document.getElementById("token-dialog");
  const input = document.getElementById("token-input");
  document.getElementById("token-why").textContent = why;
  document.getElementById("token-ok").textContent = action;
  input.value = "";
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok" && input.value ? input.value : null);
    }, { once: true });
  });
}

function keepToken(token) {
  state.token = token;
  if (token) sessionStorage.setItem("telos-token", token);
  else sessionStorage.removeItem("telos-token");
}

/**
 * With --require-auth, reads need a token too: the token is exchanged once for a session cookie
 * (HttpOnly, for reads only; the event streams cannot send headers). Resolves when signed in.
 */
async function signIn() {
  const s = await (await fetch("/api/v1/session", { headers: { Accept: "application/json" } })).json();
  if (!s.requireAuth || s.role) return;
  let token = state.token;
  for (;;) {
    if (!token) {
      token = await askToken("This Telos needs a token to read. It is kept for this tab only.", "Sign in");
      if (!token) { live.textContent = "signed out: a token is needed to read"; return new Promise(() => {}); }
    }
    const r = await fetch("/api/v1/session", { method: "POST", headers: { Authorization: "Bearer " + token } });
    if (r.ok) { keepToken(token); return; }
    keepToken(null);
    token = null;
    live.textContent = "the token was refused";
  }
}

document.getElementById("sync").addEventListener("click", async () => {
  try {
    if (await sync(state.token)) return;
    const token = await askToken("This Telos needs a token to sync. It is kept for this tab only.", "Sync");
    if (!token) return;
    keepToken(token);
    if (!(await sync(token))) {
      keepToken(null);
      live.textContent = "the token was refused";
    }
  } catch (e) {
    live.textContent = "sync failed: " + e.message;
  }
});

window.addEventListener("hashchange", () => { stopFollowing(); render(); main.focus(); });
signIn().catch(() => { /* the pages say what fails */ }).then(() => {
  render();
  connect();
  refresh();
});
