// ecombot sandbox page: renders what the sandbox holds for the chosen person and sends what they do.
// Plain JS, no build step. State comes from GET /sandbox/api/state (a long poll: it answers when
// something changed); clicks, commands and modal submissions go to POST /sandbox/api/*.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
};

const params = new URLSearchParams(location.search);
const app = {
  me: params.get("user") || localStorage.getItem("sandbox.user") || "",
  channel: decodeURIComponent(location.hash.slice(1)) || localStorage.getItem("sandbox.channel") || "",
  version: "",
  data: null,
  poll: null,
  expanded: new Set(),
  dismissed: new Set(),
  modalKey: "",
  connected: false,
};

// -- text --------------------------------------------------------------------------------------

const EMOJI = {
  warning: "⚠️", white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", rotating_light: "🚨",
  chart_with_upwards_trend: "📈", chart_with_downwards_trend: "📉", bar_chart: "📊", package: "📦",
  moneybag: "💰", money_with_wings: "💸", red_circle: "🔴", large_yellow_circle: "🟡",
  large_orange_circle: "🟠", large_green_circle: "🟢", hourglass: "⌛", hourglass_flowing_sand: "⏳",
  bell: "🔔", fire: "🔥", no_entry: "⛔", no_entry_sign: "🚫", pause_button: "⏸️", arrow_forward: "▶️",
  information_source: "ℹ️", memo: "📝", clock1: "🕐", alarm_clock: "⏰", zzz: "💤", mag: "🔍",
  sos: "🆘", exclamation: "❗", heavy_exclamation_mark: "❗", bulb: "💡", tada: "🎉", lock: "🔒",
  arrow_up: "⬆️", arrow_down: "⬇️", small_red_triangle: "🔺", small_red_triangle_down: "🔻",
  shopping_trolley: "🛒", truck: "🚚", speech_balloon: "💬", eyes: "👀", thumbsup: "👍", "+1": "👍",
  octagonal_sign: "🛑", large_blue_circle: "🔵", double_vertical_bar: "⏸️", large_purple_circle: "🟣",
  calendar: "📆", date: "📅", receipt: "🧾", scales: "⚖️", hammer_and_wrench: "🛠️", sparkles: "✨",
};

function escapeHtml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// Slack escapes &, < and > in text; undo that before escaping for the page.
function unslack(text) {
  return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function emoji(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);
}

function userName(id) {
  const user = (app.data?.users || []).find((u) => u.id === id);
  return user ? user.real_name || user.name : id;
}

function channelName(id) {
  const ch = (app.data?.channels || []).find((c) => c.id === id);
  return ch ? ch.name : id;
}

function special(inner) {
  const [target, label] = inner.split("|", 2);
  if (target.startsWith("@")) return `<span class="mention">@${escapeHtml(label || userName(target.slice(1)))}</span>`;
  if (target.startsWith("#")) return `<span class="mention">#${escapeHtml(label || channelName(target.slice(1)))}</span>`;
  if (target.startsWith("!subteam^")) {
    const group = (app.data?.usergroups || []).find((g) => g.id === target.slice(9));
    const handle = label || (group ? "@" + group.handle : "@group");
    return `<span class="mention">${escapeHtml(handle)}</span>`;
  }
  if (target.startsWith("!date^")) return escapeHtml(label || target);
  if (target.startsWith("!")) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const href = unslack(target);
  if (!/^(https?:|mailto:)/.test(href)) return escapeHtml(unslack("<" + inner + ">"));
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${escapeHtml(unslack(label || target))}</a>`;
}

function inline(html) {
  const edge = "[\\s.,!?:;()\\]\\[\"'—–-]";
  html = html.replace(new RegExp(`(^|${edge}|>)\\*(?!\\s)([^*\\n]+?)\\*(?=$|${edge}|<)`, "g"), "$1<b>$2</b>");
  html = html.replace(new RegExp(`(^|${edge}|>)_(?!\\s)([^_\\n]+?)_(?=$|${edge}|<)`, "g"), "$1<i>$2</i>");
  html = html.replace(new RegExp(`(^|${edge}|>)~(?!\\s)([^~\\n]+?)~(?=$|${edge}|<)`, "g"), "$1<s>$2</s>");
  return emoji(html);
}

// Slack mrkdwn: *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes, <links|and> <@mentions>.
function mrkdwn(text) {
  const parts = String(text ?? "").split(/(```[\s\S]*?```|`[^`\n]+`|<[^<>\n]+>)/);
  let html = "";
  for (const part of parts) {
    if (!part) continue;
    if (part.startsWith("```") && part.endsWith("```") && part.length >= 6) {
      html += `<pre>${escapeHtml(unslack(part.slice(3, -3).replace(/^\n/, "")))}</pre>`;
    } else if (part.startsWith("`") && part.endsWith("`") && part.length >= 2) {
      html += `<code>${escapeHtml(unslack(part.slice(1, -1)))}</code>`;
    } else if (part.startsWith("<") && part.endsWith(">")) {
      html += special(part.slice(1, -1));
    } else {
      html += inline(escapeHtml(unslack(part)));
    }
  }
  html = html.replace(/(^|\n)&gt; ?([^\n]*)/g, "$1<blockquote>$2</blockquote>");
  return html.replace(/<\/blockquote>\n/g, "</blockquote>").replace(/\n/g, "<br>");
}

function textHtml(obj) {
  if (!obj) return "";
  if (typeof obj === "string") return mrkdwn(obj);
  return obj.type === "mrkdwn" ? mrkdwn(obj.text) : emoji(escapeHtml(obj.text || "")).replace(/\n/g, "<br>");
}

function plain(obj) {
  if (!obj) return "";
  return typeof obj === "string" ? obj : unslack(obj.text || "");
}

// -- talking to the sandbox ------------------------------------------------------------------------

async function post(endpoint, body) {
  try {
    const resp = await fetch(`/sandbox/api/${endpoint}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: app.me, ...body }),
    });
    const result = await resp.json();
    if (!result.ok && result.error) toast(`${endpoint}: ${result.error}`);
    return result;
  } catch (err) {
    toast(`sandbox unreachable (${err})`);
    return { ok: false, error: "unreachable" };
  }
}

async function pollLoop() {
  const me = app.me;
  while (app.me === me) {
    const controller = new AbortController();
    app.poll = controller;
    const url = `/sandbox/api/state?user=${encodeURIComponent(me)}&since=${app.version}&wait=${app.version ? 20 : 0}`;
    try {
      const resp = await fetch(url, { signal: controller.signal });
      if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
      const data = await resp.json();
      if (app.me !== me) return;
      setConnected(true, data.bot_connected);
      if (data.version !== app.version) {
        app.version = data.version;
        app.data = data;
        render();
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      setConnected(false, false);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function restartPolling() {
  if (app.poll) app.poll.abort();
  app.version = "";
  app.modalKey = "";
  pollLoop();
}

function setConnected(ok, bot) {
  const node = $("#connection");
  node.className = "small " + (ok && bot ? "ok" : "bad");
  node.textContent = !ok ? "sandbox unreachable, retrying…" : bot ? "ecombot connected" : "waiting for the bot…";
}

let toastTimer = 0;
function toast(text) {
  const node = $("#toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.hidden = true), 4000);
}

// -- sidebar and header ----------------------------------------------------------------------------

function lastSeenKey(channel) {
  return `sandbox.seen.${app.me}.${channel}`;
}

function unreadCount(ch) {
  const seen = localStorage.getItem(lastSeenKey(ch.id)) || "0";
  const eph = (app.data.ephemerals[ch.id] || []);
  return [...ch.messages.filter(isTopLevel), ...eph].filter((m) => m.ts > seen && m.user !== app.me).length;
}

function markSeen(ch) {
  const all = [...ch.messages, ...(app.data.ephemerals[ch.id] || [])];
  if (all.length) localStorage.setItem(lastSeenKey(ch.id), all.map((m) => m.ts).sort().pop());
}

function renderSidebar() {
  const data = app.data;
  const select = $("#user-switch");
  if (select.options.length !== data.people.length) {
    select.replaceChildren(...data.people.map((p) => el("option", { value: p.id }, userName(p.id))));
  }
  select.value = app.me;
  const person = data.people.find((p) => p.id === app.me);
  $("#user-title").textContent = person ? person.title : "";

  const item = (ch, label) => {
    const count = ch.id === app.channel ? 0 : unreadCount(ch);
    return el("li", {
      "data-channel-id": ch.id,
      class: [ch.id === app.channel ? "active" : "", count ? "unread" : "", ch.is_member ? "" : "not-member"].join(" "),
      onclick: () => selectChannel(ch.id),
    }, el("span", {}, label), count ? el("span", { class: "count" }, count) : null);
  };
  const channels = data.channels.filter((c) => !c.is_im);
  $("#channel-list").replaceChildren(...channels.map((c) => item(c, (c.is_private ? "🔒 " : "# ") + c.name)));
  const dms = data.channels.filter((c) => c.is_im);
  $("#dm-list").replaceChildren(...dms.map((c) => item(c, "● ecombot")));
  renderJobs(data.jobs || []);
}

// the sandbox's shortcut to what the scheduler would post later (not a Slack feature)
function renderJobs(jobs) {
  $("#jobs-title").hidden = !jobs.length;
  $("#job-list").replaceChildren(...jobs.map((j) => el("li", {
    class: "job", "data-job": j.name, title: `${j.summary} (${j.cron})`,
    onclick: () => post("run_job", { name: j.name }),
  }, el("span", {}, "▶ " + j.name), j.last ? el("span", { class: "job-last" }, j.last) : null)));
}

function currentChannel() {
  const channels = app.data.channels;
  let ch = channels.find((c) => c.id === app.channel);
  if (!ch) {
    ch = channels.find((c) => !c.is_im) || channels[0];
    app.channel = ch ? ch.id : "";
  }
  return ch;
}

function selectChannel(id) {
  app.channel = id;
  localStorage.setItem("sandbox.channel", id);
  history.replaceState(null, "", `?user=${encodeURIComponent(app.me)}#${id}`);
  render(true);
  $("#composer-input").focus();
}

// -- messages --------------------------------------------------------------------------------------

function isTopLevel(m) {
  return !m.thread_ts || m.thread_ts === m.ts;
}

const COLORS = ["#e8912d", "#2eb67d", "#36c5f0", "#e01e5a", "#4a154b", "#1264a3", "#9f6b00"];
function avatar(userId) {
  const name = userName(userId);
  let hash = 0;
  for (const c of userId) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const bg = userId === app.data.bot_user_id ? "#2e6fdb" : COLORS[hash % COLORS.length];
  return el("div", { class: "avatar", style: `background:${bg}` }, name.slice(0, 1).toUpperCase());
}

function timeOf(ts) {
  const d = new Date(parseFloat(ts) * 1000);
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function renderMessage(m, ch, { ephemeral = false, replies = [] } = {}) {
  const isBot = Boolean(m.bot_id) || m.user === app.data.bot_user_id;
  const ctx = { channel: ch.id, ts: m.ts, ephemeral };
  const body = el("div", { class: "msg-body" });
  if (ephemeral) {
    body.append(el("div", { class: "only-you" }, "Only visible to you",
      el("a", { onclick: () => { app.dismissed.add(ch.id + m.ts); render(true); } }, "Dismiss")));
  }
  body.append(el("div", { class: "msg-head" },
    el("span", { class: "name" }, isBot ? "ecombot" : userName(m.user)),
    isBot ? el("span", { class: "app" }, "APP") : null,
    el("span", { class: "time" }, timeOf(m.ts))));
  if (m.blocks && m.blocks.length) body.append(renderBlocks(m.blocks, ctx));
  else if (m.text) body.append(el("div", { class: "mrkdwn", html: mrkdwn(m.text) }));
  for (const f of m.files || []) body.append(renderFile(f));
  if (m.edited) body.append(el("span", { class: "edited" }, "(edited)"));
  if (m.reactions && m.reactions.length) {
    body.append(el("div", { class: "reactions" },
      m.reactions.map((r) => el("span", { class: "reaction", html: `${emoji(":" + r.name + ":")} ${r.count}` }))));
  }
  if (replies.length) {
    const open = app.expanded.has(m.ts);
    body.append(el("a", {
      class: "thread-link",
      onclick: () => { open ? app.expanded.delete(m.ts) : app.expanded.add(m.ts); render(true); },
    }, open ? "Hide replies" : `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`));
    if (open) body.append(el("div", { class: "replies" }, replies.map((r) => renderMessage(r, ch))));
  }
  return el("div", { class: "msg" + (ephemeral ? " ephemeral" : ""), "data-ts": m.ts, "data-testid": "message" },
    avatar(isBot ? app.data.bot_user_id : m.user), body);
}

function renderFile(f) {
  const src = `/files/${encodeURIComponent(f.id)}`;
  if ((f.mimetype || "").startsWith("image/")) {
    return el("div", { class: "file file-image" }, el("div", { class: "file-title" }, f.title || f.name),
      el("a", { href: src, target: "_blank" }, el("img", { src, alt: f.title || f.name, "data-file-id": f.id })));
  }
  return el("div", { class: "file" }, el("a", { class: "file-chip", href: src, target: "_blank" }, "📄 " + (f.title || f.name)));
}

function renderMessages(scrollToEnd) {
  const ch = currentChannel();
  const box = $("#messages");
  if (!ch) { box.replaceChildren(el("div", { class: "empty" }, "No channels.")); return; }
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const top = box.scrollTop;
  const replies = new Map();
  for (const m of ch.messages) {
    if (!isTopLevel(m)) {
      if (!replies.has(m.thread_ts)) replies.set(m.thread_ts, []);
      replies.get(m.thread_ts).push(m);
    }
  }
  // a reply "also sent to the channel" shows in both places, as in Slack
  const items = ch.messages.filter((m) => isTopLevel(m) || m.subtype === "thread_broadcast")
    .map((m) => ({ m, ephemeral: false }));
  for (const m of app.data.ephemerals[ch.id] || []) {
    if (!app.dismissed.has(ch.id + m.ts)) items.push({ m, ephemeral: true });
  }
  items.sort((a, b) => (a.m.ts < b.m.ts ? -1 : a.m.ts > b.m.ts ? 1 : 0));
  const nodes = items.map(({ m, ephemeral }) => renderMessage(m, ch, { ephemeral, replies: replies.get(m.ts) || [] }));
  if (!nodes.length) nodes.push(el("div", { class: "empty" }, `This is the very beginning of ${ch.is_im ? "your DM with ecombot" : "#" + ch.name}.`));
  box.replaceChildren(...nodes);
  box.scrollTop = scrollToEnd || atEnd ? box.scrollHeight : top;
  for (const img of box.querySelectorAll("img")) {
    img.addEventListener("load", () => { if (scrollToEnd || atEnd) box.scrollTop = box.scrollHeight; }, { once: true });
  }
  markSeen(ch);
}

// -- Block Kit -------------------------------------------------------------------------------------

function renderBlocks(blocks, ctx) {
  return el("div", { class: "blocks" }, blocks.map((b) => renderBlock(b, ctx)));
}

function renderBlock(b, ctx) {
  switch (b.type) {
    case "header":
      return el("div", { class: "block block-header", html: textHtml({ type: "plain_text", text: plain(b.text) }) });
    case "divider":
      return el("hr", { class: "block-divider" });
    case "section": {
      const main = el("div", { class: "section-main" });
      if (b.text) main.append(el("div", { class: "mrkdwn", html: textHtml(b.text) }));
      if (b.fields && b.fields.length) {
        main.append(el("div", { class: "fields" }, b.fields.map((f) => el("div", { class: "mrkdwn", html: textHtml(f) }))));
      }
      const acc = b.accessory
        ? b.accessory.type === "image"
          ? el("img", { class: "accessory-image", src: imageSrc(b.accessory), alt: b.accessory.alt_text || "" })
          : renderElement(b.accessory, b, ctx)
        : null;
      return el("div", { class: "block block-section", "data-block-id": b.block_id }, main, acc);
    }
    case "context":
      return el("div", { class: "block block-context" }, (b.elements || []).map((e) =>
        e.type === "image" ? el("img", { src: imageSrc(e), alt: e.alt_text || "" }) : el("span", { class: "mrkdwn", html: textHtml(e) })));
    case "image":
      return el("div", { class: "block block-image" },
        b.title ? el("div", { class: "title" }, plain(b.title)) : null,
        el("img", { src: imageSrc(b), alt: b.alt_text || "" }));
    case "actions":
      return el("div", { class: "block block-actions", "data-block-id": b.block_id },
        (b.elements || []).map((e) => renderElement(e, b, ctx)));
    case "input":
      return renderInput(b, ctx);
    case "rich_text":
      return el("div", { class: "block mrkdwn", html: mrkdwn(richText(b)) });
    case "markdown":
      return el("div", { class: "block mrkdwn", html: mrkdwn(b.text || "") });
    case "file":
      return el("div", { class: "block file" }, el("span", { class: "file-chip" }, "📄 " + (b.external_id || "file")));
    default:
      return el("div", { class: "block small muted" }, `[${b.type} block]`);
  }
}

function richText(node) {
  if (!node) return "";
  if (node.type === "text") return node.text || "";
  if (node.type === "link") return `<${node.url}|${node.text || node.url}>`;
  if (node.type === "user") return `<@${node.user_id}>`;
  if (node.type === "channel") return `<#${node.channel_id}>`;
  if (node.type === "emoji") return `:${node.name}:`;
  const inner = (node.elements || []).map(richText).join("");
  if (node.type === "rich_text_list") return (node.elements || []).map((e) => "• " + richText(e)).join("\n") + "\n";
  if (node.type === "rich_text_preformatted") return "```" + inner + "```";
  if (node.type === "rich_text_quote") return "> " + inner;
  return inner;
}

function imageSrc(obj) {
  if (obj.image_url) return obj.image_url;
  const file = obj.slack_file || {};
  if (file.id) return `/files/${encodeURIComponent(file.id)}`;
  return file.url || "";
}

function optionText(o) {
  return plain(o.text);
}

function allOptions(e) {
  if (e.option_groups) return e.option_groups.flatMap((g) => g.options || []);
  return e.options || [];
}

function stripOption(o) {
  const out = { text: o.text, value: o.value };
  if (o.description) out.description = o.description;
  return out;
}

// An interactive element in a message or a modal (not an input block): clicking sends block_actions.
function renderElement(e, block, ctx) {
  const base = { action_id: e.action_id, block_id: block.block_id, type: e.type };
  switch (e.type) {
    case "button": {
      const cls = e.style === "primary" ? "primary" : e.style === "danger" ? "danger" : "";
      const button = el("button", { type: "button", class: cls, "data-action-id": e.action_id, "data-value": e.value },
        plain(e.text));
      button.addEventListener("click", async () => {
        if (e.confirm && !(await confirmDialog(e.confirm))) return;
        if (e.url) window.open(e.url, "_blank", "noopener");
        button.disabled = true;
        await sendAction(ctx, { ...base, value: e.value || "", text: e.text, ...(e.style ? { style: e.style } : {}) });
        button.disabled = false;
      });
      return button;
    }
    case "static_select":
    case "overflow": {
      const options = allOptions(e);
      const select = el("select", { class: "block-select", "data-action-id": e.action_id },
        el("option", { value: "" }, e.type === "overflow" ? "⋯" : plain(e.placeholder) || "Select…"),
        options.map((o, i) => el("option", { value: String(i) }, optionText(o))));
      select.addEventListener("change", async () => {
        if (select.value === "") return;
        const chosen = options[Number(select.value)];
        if (e.confirm && !(await confirmDialog(e.confirm))) { select.value = ""; return; }
        await sendAction(ctx, { ...base, selected_option: stripOption(chosen) });
      });
      return select;
    }
    case "users_select": {
      const select = el("select", { class: "block-select", "data-action-id": e.action_id },
        el("option", { value: "" }, plain(e.placeholder) || "Select a person"),
        app.data.users.filter((u) => !u.is_bot).map((u) => el("option", { value: u.id }, u.real_name)));
      select.addEventListener("change", () => select.value && sendAction(ctx, { ...base, selected_user: select.value }));
      return select;
    }
    case "datepicker": {
      const input = el("input", { type: "date", class: "block-input", value: e.initial_date, "data-action-id": e.action_id });
      input.addEventListener("change", () => sendAction(ctx, { ...base, selected_date: input.value }));
      return input;
    }
    default:
      return el("span", { class: "small muted" }, `[${e.type}]`);
  }
}

async function sendAction(ctx, action) {
  const body = ctx.viewId
    ? { view_id: ctx.viewId, values: collectValues($(".modal")), action }
    : { channel: ctx.channel, ts: ctx.ts, ephemeral: ctx.ephemeral, action };
  return post("action", body);
}

function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const close = (answer) => { overlay.remove(); resolve(answer); };
    const overlay = el("div", { class: "overlay confirm-overlay" },
      el("div", { class: "modal", role: "dialog" },
        el("div", { class: "modal-head" }, plain(confirm.title) || "Are you sure?"),
        el("div", { class: "modal-body mrkdwn", html: textHtml(confirm.text) }),
        el("div", { class: "modal-foot" },
          el("button", { type: "button", onclick: () => close(false) }, plain(confirm.deny) || "Cancel"),
          el("button", { type: "button", class: confirm.style === "danger" ? "danger" : "primary", "data-confirm": "yes",
            onclick: () => close(true) }, plain(confirm.confirm) || "Yes"))));
    document.body.append(overlay);
  });
}

// -- modals ----------------------------------------------------------------------------------------

function renderInput(b, ctx) {
  const e = b.element || {};
  const id = `in-${b.block_id}-${e.action_id}`;
  const common = { id, "data-input-block": "1", "data-block-id": b.block_id, "data-action-id": e.action_id, "data-type": e.type };
  let control;
  switch (e.type) {
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input": {
      const attrs = { ...common, placeholder: plain(e.placeholder), maxlength: e.max_length,
        value: e.initial_value ?? "" };
      if (e.type === "number_input") Object.assign(attrs, { type: "number", step: e.is_decimal_allowed ? "any" : "1",
        min: e.min_value, max: e.max_value });
      if (e.type === "email_text_input") attrs.type = "email";
      if (e.type === "url_text_input") attrs.type = "url";
      if (e.multiline) { control = el("textarea", { ...attrs, rows: 4, value: undefined }); control.value = e.initial_value || ""; }
      else control = el("input", attrs);
      break;
    }
    case "static_select":
    case "multi_static_select": {
      const options = allOptions(e);
      control = el("select", { ...common, multiple: e.type === "multi_static_select" },
        e.type === "static_select" ? el("option", { value: "" }, plain(e.placeholder) || "Select…") : null,
        options.map((o, i) => el("option", { value: String(i) }, optionText(o))));
      control._options = options;
      const initial = e.initial_option ? [e.initial_option] : e.initial_options || [];
      for (const opt of control.options) {
        const o = options[Number(opt.value)];
        if (o && initial.some((i) => i.value === o.value)) opt.selected = true;
      }
      break;
    }
    case "users_select":
    case "conversations_select":
    case "channels_select": {
      const choices = e.type === "users_select"
        ? app.data.users.filter((u) => !u.is_bot).map((u) => [u.id, u.real_name])
        : app.data.channels.filter((c) => !c.is_im).map((c) => [c.id, "#" + c.name]);
      const initial = e.initial_user || e.initial_conversation || e.initial_channel || "";
      control = el("select", common, el("option", { value: "" }, plain(e.placeholder) || "Select…"),
        choices.map(([value, label]) => el("option", { value, selected: value === initial }, label)));
      break;
    }
    case "datepicker":
      control = el("input", { ...common, type: "date", value: e.initial_date });
      break;
    case "timepicker":
      control = el("input", { ...common, type: "time", value: e.initial_time });
      break;
    case "checkboxes":
    case "radio_buttons": {
      const options = e.options || [];
      const initial = e.initial_option ? [e.initial_option] : e.initial_options || [];
      control = el("div", common, options.map((o, i) => el("label", { class: "choice" },
        el("input", { type: e.type === "checkboxes" ? "checkbox" : "radio", name: id, value: String(i),
          checked: initial.some((x) => x.value === o.value) }), optionText(o))));
      control._options = options;
      break;
    }
    default:
      control = el("div", { class: "small muted" }, `[${e.type} input]`);
  }
  const error = ctx.errors && ctx.errors[b.block_id];
  return el("div", { class: "input-block", "data-block-id": b.block_id },
    el("label", { for: id }, plain(b.label), b.optional ? el("span", { class: "optional" }, " (optional)") : null),
    control,
    b.hint ? el("div", { class: "hint-text" }, plain(b.hint)) : null,
    el("div", { class: "error", "data-error-for": b.block_id }, error || ""));
}

function collectValues(root) {
  const values = {};
  if (!root) return values;
  for (const node of root.querySelectorAll("[data-input-block]")) {
    const { blockId, actionId, type } = node.dataset;
    let value;
    switch (type) {
      case "static_select": {
        const o = node.value === "" ? null : node._options[Number(node.value)];
        value = { type, selected_option: o ? stripOption(o) : null };
        break;
      }
      case "multi_static_select":
        value = { type, selected_options: [...node.selectedOptions].map((o) => stripOption(node._options[Number(o.value)])) };
        break;
      case "users_select": value = { type, selected_user: node.value || null }; break;
      case "conversations_select": value = { type, selected_conversation: node.value || null }; break;
      case "channels_select": value = { type, selected_channel: node.value || null }; break;
      case "datepicker": value = { type, selected_date: node.value || null }; break;
      case "timepicker": value = { type, selected_time: node.value || null }; break;
      case "checkboxes":
        value = { type, selected_options: [...node.querySelectorAll("input:checked")].map((i) => stripOption(node._options[Number(i.value)])) };
        break;
      case "radio_buttons": {
        const checked = node.querySelector("input:checked");
        value = { type, selected_option: checked ? stripOption(node._options[Number(checked.value)]) : null };
        break;
      }
      default:
        value = { type, value: node.value === "" ? null : node.value };
    }
    values[blockId] = { ...(values[blockId] || {}), [actionId]: value };
  }
  return values;
}

function isEmpty(v) {
  return v.value == null && v.selected_option == null && v.selected_user == null && v.selected_date == null &&
    v.selected_conversation == null && v.selected_channel == null && v.selected_time == null &&
    (!v.selected_options || v.selected_options.length === 0);
}

function renderModals() {
  const stack = app.data.modals || [];
  const view = stack[stack.length - 1];
  const key = view ? `${view.id}:${view.hash}:${JSON.stringify(view.errors || {})}` : "";
  if (key === app.modalKey) return;
  const sameView = view && app.modalKey.startsWith(`${view.id}:${view.hash}:`);
  app.modalKey = key;
  const root = $("#modal-root");
  if (!view) { root.replaceChildren(); return; }
  const errors = view.errors || {};
  if (sameView) {
    // only the bot's errors changed: keep what the person typed, as Slack does
    for (const note of root.querySelectorAll("[data-error-for]")) note.textContent = errors[note.dataset.errorFor] || "";
    const banner = root.querySelector(".modal-error");
    if (banner) banner.textContent = errors[""] || "";
    else if (errors[""]) root.querySelector(".modal-body").prepend(el("div", { class: "modal-error" }, errors[""]));
    return;
  }
  const ctx = { viewId: view.id, errors };
  const form = el("form", { class: "modal", role: "dialog", "data-view-id": view.id, "data-testid": "modal" });
  const cancel = async () => { await post("close", { view_id: view.id }); };
  form.append(
    el("div", { class: "modal-head" }, el("span", {}, plain(view.title)),
      el("button", { type: "button", class: "close-x", "aria-label": "Close", onclick: cancel }, "×")),
    el("div", { class: "modal-body" },
      errors[""] ? el("div", { class: "modal-error" }, errors[""]) : null,
      (view.blocks || []).map((b) => renderBlock(b, ctx))),
    el("div", { class: "modal-foot" },
      el("button", { type: "button", onclick: cancel }, plain(view.close) || "Cancel"),
      view.submit ? el("button", { type: "submit", class: "primary", "data-testid": "modal-submit" }, plain(view.submit)) : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = collectValues(form);
    let missing = false;
    for (const b of view.blocks || []) {
      if (b.type !== "input" || b.optional) continue;
      const v = (values[b.block_id] || {})[b.element?.action_id];
      if (v && isEmpty(v)) {
        const note = form.querySelector(`[data-error-for="${CSS.escape(b.block_id)}"]`);
        if (note) note.textContent = "Please complete this required field.";
        missing = true;
      }
    }
    if (missing) return;
    const submit = form.querySelector("[type=submit]");
    submit.disabled = true;
    await post("submit", { view_id: view.id, values });
    submit.disabled = false;
  });
  root.replaceChildren(el("div", { class: "overlay" }, form));
  const first = form.querySelector("input, textarea, select");
  if (first) first.focus();
}

// -- composer --------------------------------------------------------------------------------------

function hintsFor(text) {
  if (!text.startsWith("/") || text.includes(" ") || !app.data) return [];
  return app.data.hints.filter((h) => h.usage.startsWith(text));
}

function renderHints() {
  const input = $("#composer-input");
  const box = $("#hints");
  const hints = hintsFor(input.value);
  box.hidden = hints.length === 0;
  box.replaceChildren(...hints.map((h) => el("div", {
    class: "hint",
    onmousedown: (event) => { event.preventDefault(); input.value = h.usage.split(" ")[0] + " "; renderHints(); input.focus(); },
  }, el("div", {}, el("b", {}, h.usage), "  ", el("span", { class: "desc" }, "e.g. " + h.example)),
    el("div", { class: "desc" }, h.description))));
}

async function send() {
  const input = $("#composer-input");
  const text = input.value.trim();
  if (!text || !app.channel) return;
  input.value = "";
  renderHints();
  await post("send", { channel: app.channel, text });
}

// -- wiring ----------------------------------------------------------------------------------------

function render(scrollToEnd = false) {
  if (!app.data) return;
  renderSidebar();
  const ch = currentChannel();
  if (ch) {
    $("#channel-title").textContent = ch.is_im ? "ecombot" : "# " + ch.name;
    $("#channel-note").textContent = ch.is_im ? "direct messages with the app"
      : ch.is_member ? "" : "ecombot is not in this channel";
    $("#composer-input").placeholder = `Message ${ch.is_im ? "ecombot" : "#" + ch.name} — or a command such as /roi douyin`;
  }
  renderMessages(scrollToEnd);
  renderModals();
}

function init() {
  $("#user-switch").addEventListener("change", (event) => {
    app.me = event.target.value;
    localStorage.setItem("sandbox.user", app.me);
    history.replaceState(null, "", `?user=${encodeURIComponent(app.me)}#${app.channel}`);
    app.dismissed.clear();
    restartPolling();
  });
  const input = $("#composer-input");
  input.addEventListener("input", renderHints);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Tab") {
      const [first] = hintsFor(input.value);
      if (first) { event.preventDefault(); input.value = first.usage.split(" ")[0] + " "; renderHints(); }
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  $("#composer").addEventListener("submit", (event) => { event.preventDefault(); send(); });
  window.addEventListener("hashchange", () => {
    const id = decodeURIComponent(location.hash.slice(1));
    if (id && id !== app.channel) { app.channel = id; render(true); }
  });
  start();
}

// the first person of the team unless the URL or the last visit chose one of them
function start() {
  fetch("/sandbox/api/team")
    .then((r) => r.json())
    .then((team) => {
      if (!team.people.some((p) => p.id === app.me) && team.people.length) app.me = team.people[0].id;
      restartPolling();
    })
    .catch(() => setTimeout(start, 1000));
}

init();
