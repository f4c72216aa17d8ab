// tiergraph console: one page, views chosen by the URL's hash, every datum from the /v1 API
// called with the signed-in key (Authorization: Bearer, as api/auth.py reads it). Text is
// only ever set as text (never parsed as HTML), so nothing the API answers can run here.
import { STRINGS } from "./i18n.js";

const KEY = "tiergraph.console.key";
const ROLE = "tiergraph.console.role";
const LANG = "tiergraph.console.lang";
const PAGE = 25;
const AUDIT_PAGE = 1000;
const AUDIT_PAGES_AT_ONCE = 20;
const LANGS = ["en", "zh-CN"];

// What the tests (and a curious operator) can read from the page: the drawn graph.
const exposed = { graph: null, view: null };
window.tiergraphConsole = exposed;

let lang = sessionStorage.getItem(LANG)
  || ((navigator.language || "").toLowerCase().startsWith("zh") ? "zh-CN" : "en");

// ---------------------------------------------------------------- text and elements
export function t(key, vars = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "text") el.textContent = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(child));
  return el;
}

function money(cents, kind = "cash") {
  if (cents === null || cents === undefined) return "—";
  if (kind === "points") return `${cents.toLocaleString("en-US")} ${t("kind.points")}`;
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}¥${Math.floor(abs / 100).toLocaleString("en-US")}.${String(abs % 100).padStart(2, "0")}`;
}

function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(lang);
}

function table(headers, rows, numeric = []) {
  return h("table", {},
    h("thead", {}, h("tr", {}, headers.map((head, i) =>
      h("th", { class: numeric.includes(i) ? "num" : null }, head)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, i) =>
      h("td", { class: numeric.includes(i) ? "num" : null }, cell))))));
}

function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function statusBadge(status) {
  return h("span", { class: `badge ${status}` }, t(`status.${status}`) || status);
}

function link(hash, text) {
  return h("a", { href: hash }, text);
}

// ---------------------------------------------------------------- the API
class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function call(path, { method = "GET", body, key, raw = false } = {}) {
  const headers = { Authorization: `Bearer ${key ?? sessionStorage.getItem(KEY) ?? ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let answer;
  try {
    answer = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { detail: String(e) });
  }
  if (!answer.ok) {
    let problem = {};
    try { problem = await answer.json(); } catch { problem = { detail: answer.statusText }; }
    if (answer.status === 401 && key === undefined) signOut();
    throw new ApiError(answer.status, problem);
  }
  if (raw) return answer;
  return answer.status === 204 ? null : answer.json();
}

function problemBox(error) {
  if (error.status === 403) return h("p", { class: "error" }, t("forbidden.role", { detail: error.problem.detail || "" }));
  return h("p", { class: "error" }, t("error", { status: error.status, detail: error.problem.detail || error.message }));
}

// A section that loads itself: shows "Loading…", then what `fill` makes, or the problem.
function section(title, load, fill) {
  const body = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const card = h("section", { class: "card" }, title ? h("h3", {}, title) : null, body);
  load().then((data) => body.replaceChildren(fill(data)))
    .catch((e) => body.replaceChildren(e instanceof ApiError ? problemBox(e) : h("p", { class: "error" }, String(e))));
  return card;
}

// ---------------------------------------------------------------- signing in
// The key's role, found by asking routes only one role (and admin) may call.
async function roleOf(key) {
  const probes = [["admin", "/v1/apikeys"], ["risk", "/v1/risk/rings?limit=1"],
                  ["compliance", "/v1/compliance/tier-reports?limit=1"]];
  for (const [role, path] of probes) {
    try {
      await call(path, { key });
      return role;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 403) throw e;
    }
  }
  return "mall";
}

function signOut() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(ROLE);
  if (location.hash) history.replaceState(null, "", location.pathname);
  render();
}

function signInView() {
  const input = h("input", { id: "key", type: "password", autocomplete: "off", name: "key" });
  const message = h("div", { id: "signin-message" });
  const form = h("form", { class: "card signin", id: "signin" },
    h("h2", {}, t("signin.title")),
    h("p", { class: "muted" }, t("signin.help")),
    h("label", { style: null }, t("signin.key"), input),
    h("div", {}, h("button", { class: "primary", type: "submit" }, t("signin.submit"))),
    message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    message.replaceChildren(h("p", { class: "muted" }, t("signin.checking")));
    try {
      const role = await roleOf(key);
      if (role === "mall") {
        message.replaceChildren(h("p", { class: "error" }, t("signin.mall")));
        return;
      }
      sessionStorage.setItem(KEY, key);
      sessionStorage.setItem(ROLE, role);
      location.hash = home(role);
      render();
    } catch (e) {
      message.replaceChildren(e.status === 401 ? h("p", { class: "error" }, t("signin.invalid")) : problemBox(e));
    }
  });
  return form;
}

// ---------------------------------------------------------------- navigation
const VIEWS = {
  rings: { roles: ["risk"], nav: "nav.rings", view: ringsView },
  ring: { roles: ["risk"], view: ringView },
  user: { roles: ["risk"], nav: "nav.user", view: userView },
  compliance: { roles: ["compliance"], nav: "nav.compliance", view: complianceView },
  audit: { roles: ["compliance"], nav: "nav.audit", view: auditView },
  withdrawals: { roles: ["admin"], nav: "nav.withdrawals", view: withdrawalsView },
  rules: { roles: ["admin"], nav: "nav.rules", view: rulesView },
  ledger: { roles: ["admin"], nav: "nav.ledger", view: ledgerView },
};

function allowed(name, role) {
  return role === "admin" || VIEWS[name].roles.includes(role);
}

function home(role) {
  return { risk: "#/rings", compliance: "#/compliance", admin: "#/withdrawals" }[role] || "#/";
}

function render() {
  document.documentElement.lang = lang;
  document.title = t("app.title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.getElementById("lang").textContent = t("lang.switch");
  const main = document.getElementById("main");
  const nav = document.getElementById("nav");
  const role = sessionStorage.getItem(ROLE);
  exposed.graph = null;
  if (!sessionStorage.getItem(KEY) || !role) {
    nav.hidden = true;
    document.getElementById("signout").hidden = true;
    document.getElementById("who").textContent = "";
    exposed.view = "signin";
    main.replaceChildren(signInView());
    return;
  }
  document.getElementById("signout").hidden = false;
  document.getElementById("who").textContent = t("role", { role });
  const [name, ...args] = location.hash.replace(/^#\/?/, "").split("?")[0].split("/").map(decodeURIComponent);
  const chosen = VIEWS[name] && allowed(name, role) ? name : null;
  if (!chosen) {
    location.replace(home(role));
    return;
  }
  nav.hidden = false;
  nav.replaceChildren(...Object.entries(VIEWS).filter(([n, v]) => v.nav && allowed(n, role))
    .map(([n, v]) => h("a", { href: `#/${n}`, class: n === chosen || (n === "rings" && chosen === "ring") ? "active" : null }, t(v.nav))));
  exposed.view = chosen;
  main.replaceChildren(VIEWS[chosen].view(...args));
}

// ---------------------------------------------------------------- risk: the ring queue
// Each ring's cash as the queue was told it (held, credited, withdrawn), for its page.
const ringMoney = new Map();

function heldText(held) {
  const kinds = Object.entries(held || {}).filter(([, v]) => v.cents || v.rebates);
  return kinds.length ? kinds.map(([kind, v]) => `${money(v.cents, kind)} (${v.rebates})`).join(" + ") : money(0);
}

function ringsView() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const status = h("select", { id: "ring-status" },
    h("option", { value: "" }, t("rings.any")),
    ["open", "confirmed", "dismissed", "lapsed"].map((s) => h("option", { value: s, selected: params.get("status") === s }, t(`status.${s}`))));
  const minScore = h("input", { id: "ring-min-score", type: "number", min: "0", max: "1", step: "0.05", value: params.get("min_score") || "0" });
  const list = h("div", { id: "ring-list" });
  let limit = PAGE;

  async function load(cursor) {
    const query = new URLSearchParams({ limit: String(limit), min_score: minScore.value || "0" });
    if (status.value) query.set("status", status.value);
    if (cursor) query.set("cursor", cursor);
    list.replaceChildren(h("p", { class: "muted" }, t("loading")));
    let answer;
    try {
      answer = await call(`/v1/risk/rings?${query}`);
    } catch (e) {
      list.replaceChildren(problemBox(e));
      return;
    }
    const rings = answer.rings ?? answer.items ?? [];
    const heldCells = new Map();
    const moneyCell = (cents, name, id) => h("span", { "data-ring-money": `${name}-${id}`, "data-loaded": "yes" }, money(cents));
    const rows = rings.map((ring) => {
      let held, credited, withdrawn;
      if (ring.money) {
        ringMoney.set(ring.ring_id, ring.money);
        held = moneyCell(ring.money.held_cents, "held", ring.ring_id);
        credited = moneyCell(ring.money.credited_cents, "credited", ring.ring_id);
        withdrawn = moneyCell(ring.money.withdrawn_cents, "withdrawn", ring.ring_id);
      } else {
        // A list answer without money: the held money comes from each ring's own page.
        held = h("span", { class: "muted", "data-ring-money": `held-${ring.ring_id}` }, "…");
        heldCells.set(ring.ring_id, held);
        credited = h("span", { class: "muted", title: t("rings.not_told") }, "—");
        withdrawn = h("span", { class: "muted", title: t("rings.not_told") }, "—");
      }
      return [link(`#/ring/${encodeURIComponent(ring.ring_id)}`, ring.ring_id),
              ring.score.toFixed(3), String(ring.size), statusBadge(ring.status),
              h("span", { class: "reasons" }, ring.reasons.join(", ")),
              held, credited, withdrawn];
    });
    const paging = h("div", { class: "row" });
    if (cursor) paging.append(h("button", { type: "button", onclick: () => load() }, t("first")));
    if (answer.next_cursor) {
      paging.append(h("button", { id: "rings-next", type: "button", onclick: () => load(answer.next_cursor) }, t("next")));
    } else if (!("next_cursor" in answer) && rings.length === limit && limit < 1000) {
      paging.append(h("button", { id: "rings-more", type: "button", onclick: () => { limit = Math.min(1000, limit * 2); load(); } }, t("more")));
    }
    list.replaceChildren(rings.length ? table(
      [t("rings.id"), t("rings.score"), t("rings.size"), t("rings.status"), t("rings.reasons"),
       t("rings.held"), t("rings.credited"), t("rings.withdrawn")], rows, [1, 2, 5, 6, 7]) : h("p", { class: "muted" }, t("none")), paging);
    await Promise.all([...heldCells.keys()].map(async (id) => {
      const cell = heldCells.get(id);
      try {
        const detail = await call(`/v1/risk/rings/${encodeURIComponent(id)}`);
        cell.replaceChildren(heldText(detail.held));
        cell.className = "";
        cell.dataset.loaded = "yes";
      } catch (e) {
        cell.textContent = `(${e.status})`;
      }
    }));
  }

  const form = h("form", { class: "row", onsubmit: (e) => { e.preventDefault(); limit = PAGE; load(); } },
    h("label", {}, t("rings.status"), status), h("label", {}, t("rings.min_score"), minScore),
    h("button", { type: "submit" }, t("apply")));
  load();
  return h("div", {}, h("h2", {}, t("rings.title")), h("div", { class: "card" }, form, list));
}

// ---------------------------------------------------------------- risk: one ring, drawn
const NODE_SHAPES = { User: "ellipse", Device: "round-rectangle", IP: "diamond",
                      PaymentAccount: "hexagon", Address: "triangle", Order: "rectangle" };
const REBATE_COLOURS = { held: "#e66100", pending: "#9a9996", confirmed: "#9a9996",
                         payable: "#33d17a", credited: "#26a269", void: "#c0bfbc" };

function graphElements(subgraph) {
  const nodes = subgraph.nodes.map((n) => ({
    data: { id: n.id, kind: n.label, member: n.member ? "yes" : "no",
            name: n.label === "User" ? n.user_id : n.label === "Order" ? money(n.amount_cents) : n.key,
            user_id: n.user_id || null },
  }));
  // A rebate is an edge from the order that earned it up to its beneficiary, coloured by status.
  const edges = subgraph.edges.map((e, i) => ({
    data: { id: `e${i}`, source: e.source, target: e.target, type: e.type,
            colour: REBATE_COLOURS[e.status] || "#9a9996",
            name: e.type === "EARNS" ? `T${e.tier} ${money(e.amount_cents, e.kind)}` : "" },
  }));
  return [...nodes, ...edges];
}

function drawRing(container, subgraph) {
  if (typeof window.cytoscape !== "function") return null;
  const cy = window.cytoscape({
    container,
    elements: graphElements(subgraph),
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { label: "data(name)", "font-size": 9, "text-valign": "bottom",
        "text-margin-y": 3, width: 22, height: 22, "background-color": "#8a98a8",
        color: "#1d232b", "text-wrap": "ellipsis", "text-max-width": "90px" } },
      ...Object.entries(NODE_SHAPES).map(([kind, shape]) => ({ selector: `node[kind = "${kind}"]`, style: { shape } })),
      { selector: 'node[kind = "User"][member = "yes"]', style: { "background-color": "#c01c28", width: 28, height: 28 } },
      { selector: 'node[kind = "User"][member = "no"]', style: { "background-color": "#b8c2cc" } },
      { selector: 'node[kind != "User"]', style: { "background-color": "#e5a50a" } },
      { selector: 'node[kind = "IP"]', style: { "background-color": "#3584e4" } },
      { selector: 'node[kind = "PaymentAccount"]', style: { "background-color": "#2ec27e" } },
      { selector: 'node[kind = "Address"]', style: { "background-color": "#9141ac" } },
      { selector: "edge", style: { width: 1.2, "line-color": "#c3cad3", "curve-style": "bezier" } },
      { selector: 'edge[type = "INVITED"]', style: { width: 2.2, "line-color": "#c01c28",
        "target-arrow-color": "#c01c28", "target-arrow-shape": "triangle" } },
      { selector: 'node[kind = "Order"]', style: { "background-color": "#5e5c64", width: 14, height: 14, "font-size": 7 } },
      { selector: 'edge[type = "EARNS"]', style: { width: 1.6, "line-style": "dashed",
        "line-color": "data(colour)", "target-arrow-color": "data(colour)", "target-arrow-shape": "vee",
        label: "data(name)", "font-size": 7, "text-rotation": "autorotate", color: "#3d3846" } },
    ],
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 70, padding: 20 },
  });
  cy.on("tap", 'node[kind = "User"]', (event) => {
    location.hash = `#/user/${encodeURIComponent(event.target.data("user_id"))}`;
  });
  return cy;
}

function graphList(subgraph) {
  return h("div", {},
    h("h3", {}, t("ring.graph")),
    table(["id", "label"], subgraph.nodes.map((n) => [n.id, n.label])),
    table(["source", "type", "target"], subgraph.edges.map((e) => [e.source, e.type, e.target])));
}

function heldTable(held) {
  const kinds = Object.entries(held || {});
  if (!kinds.length) return h("p", { class: "muted", id: "ring-held" }, t("ring.money.none"));
  return h("div", { id: "ring-held" }, table([t("ring.money.kind"), t("ring.money.cents"), t("ring.money.rebates")],
    kinds.map(([kind, v]) => [t(`kind.${kind}`), money(v.cents, kind), String(v.rebates)]), [1, 2]));
}

function decisionResult(answer) {
  const kinds = Object.entries(answer.by_kind || { cash: answer });
  return h("div", { id: "decision-result", class: "ok" },
    h("strong", {}, t("ring.result")),
    facts([[t("ring.result.changed"), String(answer.rebates_changed)]]),
    table([t("ring.money.kind"), t("ring.result.voided"), t("ring.result.clawed"), t("ring.result.debt"), t("ring.result.held_after")],
      kinds.map(([kind, v]) => [t(`kind.${kind}`), h("span", { "data-money": `voided-${kind}` }, money(v.voided_cents, kind)),
        h("span", { "data-money": `clawed-${kind}` }, money(v.clawed_back_cents, kind)),
        money(v.debt_cents, kind), money(answer.held?.[kind]?.cents ?? 0, kind)]), [1, 2, 3, 4]));
}

function decidedFacts(ring) {
  return h("div", { id: "ring-decided" },
    h("p", {}, t("ring.decided", { decision: t(`decision.${ring.decision}`) || ring.decision,
      by: ring.decided_by || "—", at: when(ring.decided_at) })),
    ring.note ? h("p", { class: "muted" }, t("ring.decided.note", { note: ring.note })) : null);
}

function decisionPanel(ring, onDecided) {
  const note = h("textarea", { id: "decision-note", maxlength: "2000" });
  const message = h("div", {});
  const held = heldText(ring.held);
  const told = ring.money || ringMoney.get(ring.ring_id);
  async function decide(decision) {
    for (const b of buttons) b.disabled = true;
    try {
      const answer = await call(`/v1/risk/rings/${encodeURIComponent(ring.ring_id)}/decision`,
        { method: "POST", body: { decision, note: note.value.trim() || null } });
      onDecided(answer);
    } catch (e) {
      message.replaceChildren(problemBox(e));
      for (const b of buttons) b.disabled = false;
    }
  }
  const buttons = [
    h("button", { id: "confirm-ring", type: "button", class: "danger", onclick: () => decide("confirm") }, t("ring.confirm")),
    h("button", { id: "dismiss-ring", type: "button", onclick: () => decide("dismiss") }, t("ring.dismiss")),
  ];
  return h("div", { id: "decision-panel" },
    h("p", { class: "muted", id: "confirm-tells" }, told
      ? t("ring.confirm.money", { held: money(told.held_cents), credited: money(told.credited_cents), withdrawn: money(told.withdrawn_cents) })
      : t("ring.confirm.tells", { held })),
    h("p", { class: "muted" }, t("ring.dismiss.tells", { held })),
    h("label", { class: "wide" }, t("ring.decide.note"), note),
    h("div", { class: "row" }, buttons), message);
}

function ringView(id) {
  const wrap = h("div", {}, h("p", {}, link("#/rings", `← ${t("ring.back")}`)), h("h2", {}, t("ring.title", { id })));
  const body = h("div", {}, h("p", { class: "muted" }, t("loading")));
  wrap.append(body);
  call(`/v1/risk/rings/${encodeURIComponent(id)}`).then((ring) => {
    const graphBox = h("div", { id: "graph" });
    const subgraph = ring.subgraph || { nodes: [], edges: [] };
    const drawCard = h("section", { class: "card" }, h("h3", {}, t("ring.graph")));
    if (!subgraph.nodes.length) drawCard.append(h("p", { class: "muted" }, t("ring.graph.empty")));
    else if (typeof window.cytoscape !== "function") drawCard.append(h("p", { class: "error" }, t("ring.graph.missing")), graphList(subgraph));
    else drawCard.append(graphBox);
    drawCard.append(h("p", { class: "legend muted" }, t("ring.legend")),
      h("p", { class: "legend muted", id: "graph-counts" }, t("ring.graph.counts", { nodes: subgraph.nodes.length, edges: subgraph.edges.length })),
      h("p", { class: "legend muted" }, t("ring.graph.orders", {
        drawn: String(subgraph.orders_drawn ?? 0), placed: String(subgraph.orders_placed ?? 0) })));

    const moneyBox = h("div", {}, heldTable(ring.held));
    const told = ring.money || ringMoney.get(ring.ring_id);
    const toldBox = told ? h("div", { id: "ring-told" }, facts([
      [t("rings.credited"), money(told.credited_cents)], [t("rings.withdrawn"), money(told.withdrawn_cents)]]),
      ring.money ? null : h("p", { class: "muted" }, t("ring.money.from_queue"))) : null;
    const decideBox = h("div", {});
    const status = h("span", { id: "ring-status-badge" }, statusBadge(ring.status));
    const showDecided = (decided) => {
      status.replaceChildren(statusBadge(decided.status));
      moneyBox.replaceChildren(heldTable(decided.held));
      decideBox.replaceChildren(decidedFacts(decided), "voided_cents" in decided ? decisionResult(decided) : "");
    };
    if (ring.status === "open") decideBox.append(decisionPanel(ring, showDecided));
    else showDecided(ring);

    const model = ring.model_version === "rules" || ring.model_version === null || ring.model_version === undefined
      ? t("ring.model.rules") : t("ring.model.version", { version: ring.model_version });
    const side = h("div", {},
      h("section", { class: "card" }, h("h3", {}, t("ring.facts")), facts([
        [t("rings.status"), status], [t("rings.score"), ring.score.toFixed(3)],
        [t("ring.rule_score"), ring.rule_score === null || ring.rule_score === undefined ? "—" : ring.rule_score.toFixed(3)],
        [t("ring.model_version"), model], [t("rings.size"), String(ring.size)],
        [t("ring.detected_at"), when(ring.detected_at)],
        [t("ring.members"), h("span", {}, ring.members.flatMap((m, i) => [i ? ", " : "", link(`#/user/${encodeURIComponent(m)}`, m)]))]])),
      h("section", { class: "card" }, h("h3", {}, t("ring.money")), moneyBox, toldBox),
      h("section", { class: "card" }, h("h3", {}, t("ring.decide")), decideBox),
      h("section", { class: "card" }, h("h3", {}, t("ring.reasons")),
        h("ul", { class: "plain", id: "ring-reasons" }, ring.reasons.map((r) => h("li", {}, r)))),
      ring.drivers?.length ? h("section", { class: "card" }, h("h3", {}, t("ring.drivers")),
        table([t("ring.driver.feature"), t("ring.driver.value"), t("ring.driver.contribution")],
          ring.drivers.map((d) => [d.feature, d.value.toFixed(3), d.contribution.toFixed(3)]), [1, 2])) : null,
      h("section", { class: "card" }, h("h3", {}, t("ring.features")),
        table([t("ring.driver.feature"), t("ring.driver.value")],
          Object.entries(ring.features || {}).map(([k, v]) => [k, typeof v === "number" ? v.toFixed(3) : String(v)]), [1])));
    body.replaceChildren(h("div", { class: "grid" }, h("div", {}, drawCard), side));
    if (subgraph.nodes.length) exposed.graph = drawRing(graphBox, subgraph);
    // Marked once laid out, so a reader (or a test) knows the drawing is there to read.
    if (exposed.graph) graphBox.dataset.nodes = String(exposed.graph.nodes().length);
  }).catch((e) => body.replaceChildren(e instanceof ApiError ? problemBox(e) : h("p", { class: "error" }, String(e))));
  return wrap;
}

// ---------------------------------------------------------------- risk: one user
function userView(id) {
  const input = h("input", { id: "user-id", value: id || "" });
  const form = h("form", { class: "row card", onsubmit: (e) => { e.preventDefault(); if (input.value.trim()) location.hash = `#/user/${encodeURIComponent(input.value.trim())}`; } },
    h("label", {}, t("user.id"), input), h("button", { type: "submit" }, t("user.go")));
  const wrap = h("div", {}, h("h2", {}, id ? t("user.title", { id }) : t("user.open")), form);
  if (!id) return wrap;
  const u = encodeURIComponent(id);
  wrap.append(h("div", { class: "grid" },
    h("div", {},
      section(t("user.risk"), () => call(`/v1/risk/users/${u}`), (r) => h("div", {},
        facts([[t("user.score"), r.score.toFixed(3)], [t("user.hold_score"), r.hold_score.toFixed(3)],
               [t("user.hold"), r.hold || "—"], [t("user.cleared"), r.cleared ? t("yes") : t("no")],
               [t("user.ring"), r.ring_id ? link(`#/ring/${encodeURIComponent(r.ring_id)}`, `${r.ring_id} (${r.ring_score?.toFixed(3)})`) : "—"]]),
        h("h3", {}, t("user.signals")),
        r.signals.length ? table([t("user.signal.code"), t("user.signal.detail"), t("user.signal.evidence"), t("user.signal.weight")],
          r.signals.map((s) => [s.code, s.detail, s.evidence.join(", "), s.weight.toFixed(2)]), [3]) : h("p", { class: "muted" }, t("none")))),
      section(t("user.rebates"), () => call(`/v1/users/${u}/rebates?limit=50`), (r) => r.rebates.length
        ? table([t("rebate.id"), t("rebate.order"), t("user.tier"), t("rebate.amount"), t("rebate.status"), t("rebate.reason"), t("rebate.paid_at")],
          r.rebates.map((x) => [x.rebate_id, x.order_id, String(x.tier), money(x.amount_cents, x.kind), x.status, x.reason || "", when(x.paid_at)]), [2, 3])
        : h("p", { class: "muted" }, t("none")))),
    h("div", {},
      section(t("user.upline"), () => call(`/v1/users/${u}/upline`), (r) => r.upline.length
        ? table([t("user.tier"), t("user.id")], r.upline.map((x) => [String(x.tier), link(`#/user/${encodeURIComponent(x.user_id)}`, x.user_id)]))
        : h("p", { class: "muted" }, t("none"))),
      section(t("user.downline"), () => call(`/v1/users/${u}/downline?limit=50`), (r) => h("div", {},
        h("p", {}, t("user.downline.total", { total: r.total })),
        table([t("user.tier"), t("user.id")], r.members.map((x) => [String(x.tier), link(`#/user/${encodeURIComponent(x.user_id)}`, x.user_id)])))))));
  return wrap;
}

// ---------------------------------------------------------------- compliance
function reportView(r) {
  const good = r.compliant;
  return h("div", { id: "tier-report" },
    h("p", {}, h("span", { class: `badge ${good ? "good" : "bad"}` }, good ? t("report.compliant") : t("report.not_compliant"))),
    facts([[t("report.digest"), h("code", { id: "report-digest" }, r.digest)],
           [t("report.id"), h("code", {}, r.report_id)],
           [t("report.report_digest"), h("code", {}, r.report_digest)],
           [t("report.generated_at"), when(r.report_generated_at || r.generated_at)],
           [t("report.covers_until"), when(r.covers_until)],
           [t("report.max_tiers"), `${r.max_tiers} / ${r.legal_max_tiers} / ${r.max_paid_tier}`]]),
    h("p", {}, t("report.checked", { rebates: r.rebates_checked, users: r.users_checked, rules: r.rules_checked })),
    r.pending && (r.pending.rebates || r.pending.invites) ? h("p", { class: "muted" }, t("report.pending", r.pending)) : null,
    h("h3", {}, t("report.violations")),
    r.violations.length ? table(["code", "count", "detail", "examples"],
      r.violations.map((v) => [v.code, String(v.count), v.detail, v.examples.join(", ")]), [1]) : h("p", { class: "muted" }, t("none")));
}

function historyList(after) {
  const box = h("div", {});
  async function load(cursor) {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (cursor) query.set("cursor", cursor);
    try {
      const page = await call(`/v1/compliance/tier-reports?${query}`);
      box.replaceChildren(page.items.length ? table(
        [t("report.id"), t("report.generated_at"), t("report.kind"), t("report.trigger"), t("report.compliant"), t("report.digest.short")],
        page.items.map((r) => [h("code", {}, r.id), when(r.generated_at), r.kind, r.trigger, r.compliant ? t("yes") : t("no"), h("code", {}, r.digest)]))
        : h("p", { class: "muted" }, t("none")),
      page.next_cursor ? h("button", { type: "button", onclick: () => load(page.next_cursor) }, t("next")) : "");
    } catch (e) {
      box.replaceChildren(problemBox(e));
    }
  }
  // After the current report: asking for it may store the first report.
  after.finally(() => load());
  return box;
}

function pathForm() {
  const input = h("input", { id: "rebate-id" });
  const out = h("div", {});
  const form = h("form", { class: "row", onsubmit: async (e) => {
    e.preventDefault();
    out.replaceChildren(h("p", { class: "muted" }, t("loading")));
    try {
      const p = await call(`/v1/compliance/rebates/${encodeURIComponent(input.value.trim())}/path`);
      out.replaceChildren(facts([[t("rebate.order"), p.order_id], [t("path.tier"), String(p.tier)],
        [t("rebate.amount"), money(p.amount_cents, p.kind)], [t("path.beneficiary"), p.beneficiary],
        [t("rebate.paid_at"), when(p.paid_at)],
        [t("path.path"), h("span", { class: "chain" }, p.path.flatMap((u, i) => [i ? "→" : "", h("span", { class: "hop" }, u)]))]]));
    } catch (err) {
      out.replaceChildren(problemBox(err));
    }
  } }, h("label", {}, t("path.id"), input), h("button", { type: "submit" }, t("path.go")));
  return h("div", {}, form, out);
}

// A saved report is sent as the text it was saved as: parsed and re-written here, a number
// such as 1.0 could come out as 1 and no longer match its digest.
function verifyForm() {
  const file = h("input", { id: "verify-file", type: "file", accept: "application/json,.json" });
  const text = h("textarea", { id: "verify-text", rows: 4, placeholder: t("verify.paste") });
  const out = h("div", { id: "verify-result" });
  file.addEventListener("change", async () => {
    if (file.files.length) text.value = await file.files[0].text();
  });
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    out.replaceChildren(h("p", { class: "muted" }, t("loading")));
    const headers = { Authorization: `Bearer ${sessionStorage.getItem(KEY) ?? ""}`,
                      "Content-Type": "application/json" };
    try {
      const answer = await fetch("/v1/compliance/tier-reports/verify", { method: "POST", headers, body: text.value });
      const body = await answer.json();
      if (!answer.ok) throw new ApiError(answer.status, body);
      const stored = body.matches_stored === null ? t("verify.stored.none")
        : body.matches_stored ? t("verify.stored.same") : t("verify.stored.differs");
      out.replaceChildren(
        h("p", {}, h("span", { class: `badge ${body.intact ? "good" : "bad"}`, id: "verify-intact" },
          body.intact ? t("verify.intact") : t("verify.changed"))),
        facts([[t("verify.claimed"), h("code", {}, body.claimed_digest)],
               [t("verify.computed"), h("code", {}, body.computed_digest)],
               [t("report.id"), h("code", {}, body.report_id ?? "")],
               [t("verify.stored"), h("span", { id: "verify-stored" }, stored)]]));
    } catch (err) {
      out.replaceChildren(problemBox(err instanceof ApiError ? err : new ApiError(0, { detail: String(err) })));
    }
  } }, h("div", { class: "row" }, file), text, h("button", { type: "submit", id: "verify-go" }, t("verify.go")));
  return h("div", {}, form, out);
}

function csvForm() {
  const today = new Date();
  const monthAgo = new Date(today.getTime() - 30 * 86400000);
  const day = (d) => d.toISOString().slice(0, 10);
  const from = h("input", { id: "csv-from", type: "date", value: day(monthAgo) });
  const to = h("input", { id: "csv-to", type: "date", value: day(today) });
  const out = h("div", {});
  // A plain link cannot send the key: the file is fetched with it and handed over as a blob.
  const form = h("form", { class: "row", onsubmit: async (e) => {
    e.preventDefault();
    const query = new URLSearchParams({ from: from.value, to: to.value });
    try {
      const answer = await call(`/v1/compliance/rebates.csv?${query}`, { raw: true });
      const name = `rebates-${from.value}-${to.value}.csv`;
      const url = URL.createObjectURL(await answer.blob());
      const a = h("a", { href: url, download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      out.replaceChildren(h("p", { class: "ok" }, t("csv.done", { name })));
    } catch (err) {
      out.replaceChildren(problemBox(err));
    }
  } }, h("label", {}, t("csv.from"), from), h("label", {}, t("csv.to"), to),
  h("button", { type: "submit", id: "csv-go" }, t("csv.go")));
  return h("div", {}, h("p", { class: "muted mono" }, "GET /v1/compliance/rebates.csv?from=&to="), form, out);
}

function complianceView() {
  const current = call("/v1/compliance/tier-report");
  return h("div", {}, h("h2", {}, t("nav.compliance")),
    h("div", { class: "grid" },
      h("div", {},
        section(t("report.title"), () => current, reportView),
        h("section", { class: "card" }, h("h3", {}, t("report.history")), historyList(current))),
      h("div", {},
        h("section", { class: "card" }, h("h3", {}, t("path.title")), pathForm()),
        h("section", { class: "card" }, h("h3", {}, t("csv.title")), csvForm()),
        h("section", { class: "card" }, h("h3", {}, t("verify.title")), verifyForm()),
        h("section", { class: "card" }, h("h3", {}, t("nav.audit")), link("#/audit", t("audit.title"))))));
}

// The audit chain: read from the start, each entry's prev_hash checked against the hash of
// the entry before it; the hashes themselves are the CLI's to recompute.
function auditView() {
  const state = { after: 0, count: 0, last: null, broken: null, latest: [] };
  const out = h("div", {}, h("p", { class: "muted" }, t("loading")));
  async function read() {
    try {
      let pages = 0;
      let more = true;
      while (more && pages < AUDIT_PAGES_AT_ONCE && state.broken === null) {
        const page = await call(`/v1/audit?after=${state.after}&limit=${AUDIT_PAGE}`);
        for (const entry of page.entries) {
          if (state.last && entry.prev_hash !== state.last.hash && state.broken === null) state.broken = entry.seq;
          state.last = entry;
          state.count += 1;
        }
        state.latest = [...state.latest, ...page.entries].slice(-PAGE);
        if (page.entries.length) state.after = page.entries[page.entries.length - 1].seq;
        more = page.next_after !== null;
        pages += 1;
      }
      show(more && state.broken === null);
    } catch (e) {
      out.replaceChildren(problemBox(e));
    }
  }
  function show(more) {
    if (!state.last) {
      out.replaceChildren(h("p", { class: "muted" }, t("audit.empty")));
      return;
    }
    out.replaceChildren(
      h("p", { id: "audit-state" }, t("audit.checked", { entries: state.count, seq: state.last.seq })),
      facts([[t("audit.head_hash"), h("code", {}, state.last.hash)]]),
      state.broken !== null ? h("p", { class: "error" }, t("audit.links_broken", { seq: state.broken }))
        : h("p", { class: "ok" }, t("audit.links_ok")),
      more ? h("p", {}, t("audit.partial", { seq: state.last.seq }), " ",
        h("button", { type: "button", onclick: read }, t("audit.more"))) : null,
      h("p", { class: "muted" }, t("audit.verify")),
      h("h3", {}, t("audit.latest")),
      table([t("audit.seq"), t("audit.at"), t("audit.actor"), t("audit.action"), t("audit.target")],
        [...state.latest].reverse().map((e) => [String(e.seq), when(e.at), e.actor, e.action, e.target]), [0]));
  }
  read();
  return h("div", {}, h("h2", {}, t("audit.title")), h("section", { class: "card" }, out));
}

// ---------------------------------------------------------------- admin: withdrawals
function withdrawalsView() {
  const status = h("select", { id: "wd-status" },
    ["pending_review", "processing", "completed", "failed", "rejected", "cancelled", "expired"]
      .map((s) => h("option", { value: s }, s)));
  const list = h("div", { id: "wd-list" });

  function row(w) {
    const note = h("input", { placeholder: t("wd.note"), "data-note": w.withdrawal_id, maxlength: "1000" });
    const message = h("div", {});
    const statusCell = h("span", { "data-status": w.withdrawal_id }, w.status);
    const approvals = h("span", { "data-approvals": w.withdrawal_id },
      t("wd.approvals.count", { n: w.approvals.length }), w.approvals.length ? ` (${w.approvals.join(", ")})` : "");
    const act = async (verb) => {
      message.replaceChildren();
      try {
        const body = verb === "reject" ? { note: note.value.trim() || null } : undefined;
        const answer = await call(`/v1/withdrawals/${encodeURIComponent(w.withdrawal_id)}/${verb}`, { method: "POST", body });
        statusCell.textContent = answer.status;
        approvals.replaceChildren(t("wd.approvals.count", { n: answer.approvals.length }),
          answer.approvals.length ? ` (${answer.approvals.join(", ")})` : "");
        if (answer.status !== "pending_review") actions.replaceChildren();
        else if (verb === "approve") message.replaceChildren(h("p", { class: "ok" }, t("wd.approved_by_you")));
      } catch (e) {
        message.replaceChildren(problemBox(e));
      }
    };
    const actions = h("div", {}, w.status === "pending_review" ? h("div", { class: "row" },
      h("button", { type: "button", class: "primary", "data-approve": w.withdrawal_id, onclick: () => act("approve") }, t("wd.approve")),
      note, h("button", { type: "button", class: "danger", "data-reject": w.withdrawal_id, onclick: () => act("reject") }, t("wd.reject"))) : "");
    return [h("code", {}, w.withdrawal_id), w.user_id, money(w.amount_cents), when(w.created_at), statusCell, approvals, h("div", {}, actions, message)];
  }

  async function load(cursor) {
    const query = new URLSearchParams({ status: status.value, limit: String(PAGE) });
    if (cursor) query.set("cursor", cursor);
    list.replaceChildren(h("p", { class: "muted" }, t("loading")));
    try {
      const page = await call(`/v1/withdrawals?${query}`);
      list.replaceChildren(page.items.length ? table(
        [t("wd.id"), t("wd.user"), t("wd.amount"), t("wd.created"), t("wd.status"), t("wd.approvals"), ""],
        page.items.map(row), [2]) : h("p", { class: "muted" }, t("none")),
      page.next_cursor ? h("button", { type: "button", onclick: () => load(page.next_cursor) }, t("next")) : "");
    } catch (e) {
      list.replaceChildren(problemBox(e));
    }
  }
  status.addEventListener("change", () => load());
  load();
  return h("div", {}, h("h2", {}, t("wd.title")),
    h("p", { class: "card", id: "two-person-rule" }, t("wd.rule")),
    h("div", { class: "card" }, h("label", {}, t("wd.status"), status), list));
}

// ---------------------------------------------------------------- admin: rules
const RULE_FIELDS = ["id", "tiers", "kind", "category", "priority", "level_bonus_bp", "starts_at", "ends_at"];

function rulesView() {
  const inputs = {
    id: h("input", { name: "id", value: "draft-1" }),
    tiers: h("input", { name: "tiers", value: "1000,500,200" }),
    kind: h("select", { name: "kind" }, h("option", { value: "cash" }, t("kind.cash")), h("option", { value: "points" }, t("kind.points"))),
    category: h("input", { name: "category" }),
    priority: h("input", { name: "priority", value: "0" }),
    level_bonus_bp: h("input", { name: "level_bonus_bp", value: "0" }),
    starts_at: h("input", { name: "starts_at", placeholder: t("rules.time.help") }),
    ends_at: h("input", { name: "ends_at", placeholder: t("rules.time.help") }),
  };
  const errors = Object.fromEntries(RULE_FIELDS.map((f) => [f, h("span", { class: "field-error", "data-error": f })]));
  const now = new Date();
  const from = h("input", { name: "from", value: new Date(now.getTime() - 30 * 86400000).toISOString().slice(0, 19) + "Z" });
  const to = h("input", { name: "to", value: now.toISOString().slice(0, 19) + "Z" });
  const simErrors = { from: h("span", { class: "field-error", "data-error": "from" }), to: h("span", { class: "field-error", "data-error": "to" }) };
  const message = h("div", { id: "rule-message" });
  const chart = h("div", { id: "whatif" });
  const list = h("div", {});

  function clearErrors() {
    for (const [f, el] of Object.entries({ ...errors, ...simErrors })) {
      el.textContent = "";
      (inputs[f] || (f === "from" ? from : to)).classList.remove("invalid");
    }
    message.replaceChildren();
  }

  function mark(field, text) {
    const el = errors[field] || simErrors[field];
    if (!el) return false;
    el.textContent = el.textContent ? `${el.textContent}; ${text}` : text;
    (inputs[field] || (field === "from" ? from : to)).classList.add("invalid");
    return true;
  }

  // The draft as the API takes it; a number that is not one is marked here, not sent.
  function draft() {
    let ok = true;
    const rule = { id: inputs.id.value.trim(), kind: inputs.kind.value };
    const tiers = inputs.tiers.value.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (!tiers.every((s) => /^-?\d+$/.test(s))) { mark("tiers", t("rules.bad_number")); ok = false; }
    rule.tiers = tiers.map(Number);
    for (const f of ["priority", "level_bonus_bp"]) {
      const v = inputs[f].value.trim();
      if (!/^-?\d+$/.test(v)) { mark(f, t("rules.bad_number")); ok = false; }
      rule[f] = Number(v);
    }
    for (const f of ["category", "starts_at", "ends_at"]) if (inputs[f].value.trim()) rule[f] = inputs[f].value.trim();
    return ok ? rule : null;
  }

  // A refusal shown in place: pydantic's errors by their field, a domain refusal (tier-limit,
  // rate-limit, validation) beside the field it is about, else above the form.
  function showProblem(e) {
    const problem = e.problem || {};
    let placed = false;
    for (const err of problem.errors || []) {
      const loc = (err.loc || []).filter((p) => p !== "body" && p !== "rule" && !/^\d+$/.test(p));
      if (loc.length && mark(loc[0], err.msg)) placed = true;
    }
    const kind = (problem.type || "").split("/").pop();
    if (!placed && (kind === "tier-limit" || kind === "rate-limit")) placed = mark("tiers", problem.detail);
    if (!placed && kind === "validation" && /ends_at|starts_at/.test(problem.detail || "")) placed = mark("ends_at", problem.detail);
    if (!placed && kind === "validation" && /\bto\b/.test(problem.detail || "")) placed = mark("to", problem.detail);
    if (!placed) message.replaceChildren(problemBox(e));
  }

  async function create(e) {
    e.preventDefault();
    clearErrors();
    const rule = draft();
    if (!rule) return;
    try {
      const made = await call("/v1/rules", { method: "POST", body: rule });
      message.replaceChildren(h("p", { class: "ok" }, t("rules.created_ok", { id: made.id })));
      loadList();
    } catch (err) {
      showProblem(err);
    }
  }

  async function simulate() {
    clearErrors();
    const rule = draft();
    if (!rule) return;
    chart.replaceChildren(h("p", { class: "muted" }, t("loading")));
    try {
      const sim = await call("/v1/rules/simulate", { method: "POST", body: { rule, from: from.value.trim(), to: to.value.trim() } });
      chart.replaceChildren(whatIfChart(sim));
    } catch (err) {
      chart.replaceChildren();
      showProblem(err);
    }
  }

  async function loadList() {
    try {
      const answer = await call("/v1/rules");
      list.replaceChildren(table(
        [t("rules.id"), t("rules.tiers"), t("rules.kind"), t("rules.category"), t("rules.priority"), t("rules.level_bonus_bp"), t("rules.starts_at"), t("rules.ends_at"), t("rules.status"), t("rules.created"), ""],
        answer.rules.map((r) => [h("code", {}, r.id), r.tiers.join(" / "), t(`kind.${r.kind}`), r.category || "—", String(r.priority), String(r.level_bonus_bp),
          when(r.starts_at), when(r.ends_at), r.status, `${when(r.created_at)} ${r.created_by || ""}`,
          r.status === "active" && r.id !== "default" ? h("button", { type: "button", onclick: async () => {
            try { await call(`/v1/rules/${encodeURIComponent(r.id)}`, { method: "DELETE" }); loadList(); } catch (err) { message.replaceChildren(problemBox(err)); }
          } }, t("rules.retire")) : ""])));
    } catch (err) {
      list.replaceChildren(problemBox(err));
    }
  }

  const field = (f, help) => h("label", {}, t(`rules.${f}`), inputs[f], help ? h("span", { class: "muted" }, help) : null, errors[f]);
  const form = h("form", { id: "rule-form", onsubmit: create },
    h("div", { class: "row" }, field("id"), field("tiers", t("rules.tiers.help")), field("kind"), field("category"),
      field("priority"), field("level_bonus_bp")),
    h("div", { class: "row" }, field("starts_at"), field("ends_at")),
    message,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary", id: "rule-create" }, t("rules.create"))),
    h("h3", {}, t("rules.whatif")),
    h("div", { class: "row" }, h("label", {}, t("rules.from"), from, simErrors.from), h("label", {}, t("rules.to"), to, simErrors.to),
      h("button", { type: "button", id: "rule-simulate", onclick: simulate }, t("rules.simulate"))),
    chart);
  loadList();
  return h("div", {}, h("h2", {}, t("rules.title")),
    h("section", { class: "card" }, list),
    h("section", { class: "card" }, h("h3", {}, t("rules.draft")), form));
}

// Bars per tier, the rules in force beside the draft, drawn as SVG (no inline styles: the
// page's policy allows none).
function whatIfChart(sim) {
  const tiers = Math.max(sim.per_tier_cents.length, sim.current_per_tier_cents.length);
  const groups = [...Array(tiers).keys()].map((i) => ({
    label: t("rules.sim.tier", { n: i + 1 }), current: sim.current_per_tier_cents[i] || 0, draft: sim.per_tier_cents[i] || 0 }));
  const top = Math.max(1, ...groups.flatMap((g) => [g.current, g.draft]));
  const width = 560, height = 240, left = 90, bottom = 28, bar = 34, gap = 50;
  const plot = height - bottom - 10;
  const chart = svg("svg", { class: "chart", width: String(width), height: String(height), viewBox: `0 0 ${width} ${height}`, role: "img", "data-tiers": String(tiers) });
  for (const f of [0, 0.5, 1]) {
    const y = 10 + plot * (1 - f);
    chart.append(svg("line", { x1: String(left - 4), x2: String(width), y1: String(y), y2: String(y), stroke: "#eceff3" }),
      svg("text", { x: String(left - 8), y: String(y + 4), "text-anchor": "end" }, money(Math.round(top * f), sim.kind)));
  }
  groups.forEach((g, i) => {
    const x = left + 10 + i * (2 * bar + gap);
    for (const [j, which, color] of [[0, "current", "#8a98a8"], [1, "draft", "#1a5fb4"]]) {
      const hgt = Math.round((plot * g[which]) / top);
      const rect = svg("rect", { x: String(x + j * bar), y: String(10 + plot - hgt), width: String(bar - 4), height: String(hgt), fill: color, "data-bar": `${which}-${i + 1}` });
      rect.append(svg("title", {}, `${t(`rules.sim.${which}`)}: ${money(g[which], sim.kind)}`));
      chart.append(rect);
    }
    chart.append(svg("text", { x: String(x + bar), y: String(height - 10), "text-anchor": "middle" }, g.label));
  });
  return h("div", {},
    h("p", {}, t("rules.sim.orders", { orders: sim.orders, kind: t(`kind.${sim.kind}`) })),
    chart,
    h("p", { class: "chart-legend" }, h("span", { class: "swatch-current" }, "■ "), t("rules.sim.current"), "  ",
      h("span", { class: "swatch-draft" }, "■ "), t("rules.sim.draft")),
    h("p", {}, t("rules.sim.total", { draft: money(sim.total_cents, sim.kind), current: money(sim.current_total_cents, sim.kind), diff: money(sim.vs_current_cents, sim.kind) })));
}

// ---------------------------------------------------------------- admin: pool and ledger
function ledgerView() {
  const out = h("div", {});
  const run = () => {
    out.replaceChildren(section(null, () => call("/v1/ledger/check"), (r) => h("div", { id: "ledger" },
      r.ok ? h("p", { class: "ok" }, t("ledger.ok")) : h("div", { class: "error" }, t("ledger.bad"), h("ul", { class: "plain" }, r.problems.map((p) => h("li", {}, p)))),
      h("p", { class: "muted" }, t("ledger.checked_at", { at: when(r.checked_at) })),
      h("p", {}, t("ledger.entries", { entries: r.ledger.entries, txns: r.ledger.txns, total: r.ledger.total, unbalanced: r.ledger.unbalanced, negative: r.ledger.negative_buckets })),
      Object.entries(r.kinds).map(([kind, k]) => h("section", { class: "card" }, h("h3", {}, t("ledger.kind", { kind: t(`kind.${kind}`) })),
        facts([[t("ledger.pool"), money(k.pool_cents, kind)], [t("ledger.gateway"), money(k.gateway_cents, kind)],
               [t("ledger.liabilities"), money(k.liabilities_total, kind)], [t("ledger.debts"), `${money(k.debt_total, kind)}`],
               [t("ledger.balanced"), h("span", { class: `badge ${k.balanced ? "good" : "bad"}` }, k.balanced ? t("yes") : t("no"))]]),
        table([t("ledger.bucket"), t("ledger.liabilities")], Object.entries(k.liabilities).map(([b, c]) => [b, money(c, kind)]), [1]),
        Object.keys(k.debts).length ? table([t("ledger.bucket"), t("ledger.debts"), t("wd.user")],
          Object.entries(k.debts).map(([b, d]) => [b, money(d.cents, kind), String(d.users)]), [1, 2]) : null)))));
  };
  run();
  return h("div", {}, h("h2", {}, t("ledger.title")),
    h("p", {}, h("button", { type: "button", id: "ledger-run", onclick: run }, t("ledger.run"))), out);
}

// ---------------------------------------------------------------- start
document.getElementById("lang").addEventListener("click", () => {
  lang = LANGS[(LANGS.indexOf(lang) + 1) % LANGS.length];
  sessionStorage.setItem(LANG, lang);
  render();
});
document.getElementById("signout").addEventListener("click", signOut);
window.addEventListener("hashchange", render);
// The graph library is a classic deferred script: it has run before this module does.
render();
