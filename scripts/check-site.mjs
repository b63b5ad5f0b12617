// Open every page of a built site in headless Chromium at phone and
// desktop widths, in the light and the dark colour scheme: no horizontal
// scrolling, no axe-core violations (colour contrast included); with
// --screenshots, save the front page and a course page at both widths
// under docs/images/. Run by scripts/check-site.sh.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const [given, tools, shots] = process.argv.slice(2);
const site = path.resolve(given);
const require = createRequire(path.join(tools, "package.json"));
const puppeteer = require("puppeteer-core");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const pages = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith(".html")) pages.push(p);
  }
})(site);

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
let failures = 0;
const widths = [390, 1280];
const schemes = ["light", "dark"];
for (const file of pages.sort()) {
  for (const width of widths) {
    for (const scheme of schemes) {
      const page = await browser.newPage();
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      await page.setViewport({ width, height: 900 });
      await page.goto("file://" + file, { waitUntil: "load" });
      const where = `${path.relative(site, file)} at ${width}px (${scheme})`;
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (wide > 0) {
        console.log(`FAILED ${where} scrolls sideways by ${wide}px`);
        failures++;
      }
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () => await axe.run(document, { resultTypes: ["violations"] }));
      for (const v of result.violations) {
        console.log(`FAILED ${where}: axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} element(s)`);
        failures++;
      }
      await page.close();
    }
  }
}
if (shots) {
  const shoot = async (rel, name, width, height, scheme = "light") => {
    const page = await browser.newPage();
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    await page.setViewport({ width, height });
    await page.goto("file://" + path.join(site, rel), { waitUntil: "load" });
    await page.screenshot({ path: path.join(shots, name) });
    await page.close();
  };
  await shoot("index.html", "site-index.png", 1280, 1800);
  await shoot("index.html", "site-index-phone.png", 390, 1600);
  await shoot("courses/l2-trauma-awareness.html", "site-course.png", 1280, 1400);
  await shoot("courses/l2-trauma-awareness.html", "site-course-phone.png", 390, 1600);
  await shoot("progress.html", "site-progress.png", 1280, 1300);
  await shoot("progress.html", "site-progress-phone.png", 390, 1600);
  // A phone's first screen, as a learner opens it.
  await shoot("index.html", "site-index-first-screen.png", 390, 844);
  await shoot("courses/becoming-ti.html", "site-elearning-phone.png", 390, 844);
  await shoot("courses/l2-trauma-awareness.html", "site-course-phone-dark.png", 390, 1600, "dark");
}
await browser.close();
console.log(`axe-core and scroll width: ${pages.length} pages at ${widths.join(" and ")} px, light and dark, ${failures} problem(s)`);
process.exit(failures ? 1 : 0);
