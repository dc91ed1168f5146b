// Builds static/vendor/lucide/icons.svg: the Lucide icons Huhang uses (name in Huhang -> Lucide name), as
// one sprite of <symbol>s. Run by scripts/vendor.sh: node scripts/icons.mjs <node_modules> <out dir>.
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { join } from "node:path";

const ICONS = {
  home: "house", pin: "map-pin", visit: "calendar-check", inbox: "inbox", more: "ellipsis",
  children: "users", gift: "gift", package: "package", hand: "hand-helping", badge: "badge-check",
  building: "building-2", map: "map", chart: "chart-column", alert: "triangle-alert", key: "key-round",
  profile: "user", account: "user-cog", login: "log-in", signup: "user-plus", list: "list-checks",
  navigate: "navigation", phone: "phone", trash: "trash-2", filter: "sliders-horizontal", check: "check",
  x: "x", clock: "clock",
};

const [nm, out] = process.argv.slice(2);
const pkg = join(nm, "lucide-static");
const version = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;
const symbols = Object.entries(ICONS).map(([ours, lucide]) => {
  const svg = readFileSync(join(pkg, "icons", `${lucide}.svg`), "utf8");
  const body = svg.slice(svg.indexOf(">", svg.indexOf("<svg")) + 1, svg.lastIndexOf("</svg>")).trim();
  return `<symbol id="${ours}" viewBox="0 0 24 24">${body.replace(/\s*\n\s*/g, "")}</symbol>`;
});
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "icons.svg"),
  `<svg xmlns="http://www.w3.org/2000/svg"><!-- lucide-static ${version} (ISC) --><defs>${symbols.join("")}</defs></svg>\n`);
copyFileSync(join(pkg, "LICENSE"), join(out, "LICENSE"));
