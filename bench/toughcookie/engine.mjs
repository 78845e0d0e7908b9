// tough-cookie's cost per Set-Cookie header, for bench/engine.py, which starts this file and
// asks it, one JSON line at a time, either for the Cookie header the workload ends with
// ({"seconds": 0}) or for the CPU microseconds one run of it takes ({"seconds": 0.2}).
import { createInterface } from "node:readline";
import { CookieJar } from "tough-cookie";

function run(ask) {
  const jar = new CookieJar();
  for (const header of ask.headers) jar.setCookieSync(header, ask.url);
  return jar.getCookieStringSync(ask.then_url);
}

// CPU time of the whole process (process.cpuUsage), as bench/engine.py times its own thread.
function microsPerRun(ask) {
  let runs = 0;
  const started = process.cpuUsage();
  const spent = () => {
    const used = process.cpuUsage(started);
    return used.user + used.system;
  };
  while (spent() < ask.seconds * 1e6) {
    for (let i = 0; i < 20; i++) run(ask);
    runs += 20;
  }
  return spent() / runs;
}

for await (const line of createInterface({ input: process.stdin })) {
  const ask = JSON.parse(line);
  const answer = ask.seconds > 0 ? { us_per_run: microsPerRun(ask) } : { cookie: run(ask) };
  process.stdout.write(JSON.stringify(answer) + "\n");
}
