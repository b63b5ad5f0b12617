// The bulletin's HTML as a mail client shows it: no sideways scrolling at
// 600 pixels (the usual message width) or at a phone's 390. Run by
// scripts/check-email.sh.
import path from "node:path";
import { createRequire } from "node:module";

const [file, tools, shot] = process.argv.slice(2);
const require = createRequire(path.join(tools, "package.json"));
const puppeteer = require("puppeteer-core");
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
let failures = 0;
for (const width of [600, 390]) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900 });
  await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (wide > 0) {
    console.log(`FAILED the bulletin at ${width}px scrolls sideways by ${wide}px`);
    failures++;
  }
  if (shot && width === 600) await page.screenshot({ path: shot, fullPage: false });
  await page.close();
}
await browser.close();
if (failures === 0) console.log("Chromium: the bulletin email fits 600 and 390 pixels without scrolling sideways");
process.exit(failures ? 1 : 0);
