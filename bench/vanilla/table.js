// The vanilla-JS baseline for `cargo xtask bench`: fetch every page, render every row, sort
// by reordering rows, filter by hiding them. Same API, same data, same date format.
"use strict";

// As the console asks first; a server that caps pages lower refuses it, and the page then asks
// as the Anyscale SDK does (50), as the console does.
const PAGE_SIZES = [1000, 50];
const tbody = document.querySelector("#table tbody");
const search = document.getElementById("search");
const status = document.getElementById("status");
let rows = []; // { invitation, emailLower, created, expires, tr }
let sort = { key: "created_at", descending: true };

function pad(n) {
  return String(n).padStart(2, "0");
}

// The Anyscale CLI's format, in local time: 11/25/2024 10:24 PM.
function formatCli(date) {
  const hours = date.getHours() % 12 === 0 ? 12 : date.getHours() % 12;
  const meridiem = date.getHours() < 12 ? "AM" : "PM";
  return `${pad(date.getMonth() + 1)}/${pad(date.getDate())}/${date.getFullYear()} ${pad(hours)}:${pad(date.getMinutes())} ${meridiem}`;
}

async function loadAll() {
  const all = [];
  let token = null;
  let size = 0;
  for (;;) {
    const query = new URLSearchParams({ count: String(PAGE_SIZES[size]), include_expired: "true" });
    if (token) query.set("paging_token", token);
    const response = await fetch(`/api/v2/organization_invitations/?${query}`, { credentials: "same-origin" });
    if ((response.status === 400 || response.status === 422) && !token && size === 0) {
      size = 1;
      continue;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const page = await response.json();
    all.push(...page.results);
    token = page.metadata && page.metadata.next_paging_token;
    if (!token) return all;
  }
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function render(invitations) {
  rows = invitations.map((invitation) => {
    const created = new Date(invitation.created_at);
    const expires = new Date(invitation.expires_at);
    const tr = document.createElement("tr");
    tr.append(cell(invitation.id), cell(invitation.email), cell(formatCli(created)), cell(formatCli(expires)));
    return { invitation, emailLower: invitation.email.toLowerCase(), created: created.getTime(), expires: expires.getTime(), tr };
  });
  applySort();
  status.textContent = `${rows.length} invitations`;
}

function compare(a, b) {
  let byValue;
  switch (sort.key) {
    case "id": byValue = a.invitation.id < b.invitation.id ? -1 : a.invitation.id > b.invitation.id ? 1 : 0; break;
    case "email": byValue = a.emailLower < b.emailLower ? -1 : a.emailLower > b.emailLower ? 1 : 0; break;
    case "created_at": byValue = a.created - b.created; break;
    default: byValue = a.expires - b.expires;
  }
  if (sort.descending) byValue = -byValue;
  return byValue || (a.invitation.id < b.invitation.id ? -1 : 1);
}

function applySort() {
  rows.sort(compare);
  const fragment = document.createDocumentFragment();
  for (const row of rows) fragment.append(row.tr);
  tbody.append(fragment);
}

document.querySelector("#table thead").addEventListener("click", (event) => {
  const key = event.target.closest("button")?.dataset.key;
  if (!key) return;
  sort = sort.key === key ? { key, descending: !sort.descending } : { key, descending: key.endsWith("_at") };
  applySort();
});

search.addEventListener("input", () => {
  const needle = search.value.trim().toLowerCase();
  for (const row of rows) row.tr.hidden = needle !== "" && !row.emailLower.includes(needle);
});

loadAll().then(render, (error) => { status.textContent = `Could not load invitations: ${error.message}`; });
