// Lighthouse's accessibility category (mobile, its default form factor) for many pages in one
// Chromium: `node run.mjs < jobs.json` where jobs.json is
//   [{"url": "http://127.0.0.1:8000/?care=1", "cookie": "sessionid=…"}, …]
// Each page opens in a fresh browser context (no storage left by the page before), with the
// job's cookie in the browser's jar, so the page's own requests (fetch, reloads) carry it too.
// Prints one JSON line per page: {"url", "final" (after redirects), "score", "failed": [audit
// ids], "error", "ms"}. CHROME_PATH names the browser (Debian's /usr/bin/chromium); nothing is
// downloaded.
import fs from "node:fs";
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const jobs = JSON.parse(fs.readFileSync(0, "utf8"));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  for (const job of jobs) {
    const started = Date.now();
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    if (job.cookie) {
      const at = job.cookie.indexOf("=");
      await page.setCookie({
        name: job.cookie.slice(0, at),
        value: job.cookie.slice(at + 1),
        url: job.url,
      });
    }
    const result = await lighthouse(
      job.url,
      {
        output: "json",
        logLevel: "error",
        onlyCategories: ["accessibility"],
        // The context is new: nothing to reset, and a reset would drop the cookie.
        disableStorageReset: true,
        // Accessibility needs the loaded page, not its timings: shorter waits for quiet and no
        // full-page screenshot (about 7 s a page down to 5 on two busy cores).
        pauseAfterFcpMs: 0,
        pauseAfterLoadMs: 0,
        networkQuietThresholdMs: 200,
        cpuQuietThresholdMs: 200,
        disableFullPageScreenshot: true,
      },
      undefined,
      page,
    );
    const lhr = result.lhr;
    const failed = Object.values(lhr.audits)
      .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode === "binary")
      .map((audit) => audit.id);
    process.stdout.write(
      JSON.stringify({
        url: job.url,
        final: lhr.finalDisplayedUrl,
        score: lhr.categories.accessibility.score,
        failed,
        error: lhr.runtimeError ? lhr.runtimeError.code : null,
        ms: Date.now() - started,
      }) + "\n",
    );
    await context.close();
  }
} finally {
  await browser.close();
}
