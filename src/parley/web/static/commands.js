// The message box's commands (/join, /leave, /topic, /msg, /query, /who, /help): a table of
// name -> handler, each handler given its words and the rest of the line.

import { activeTarget, roomTarget } from "./state.js";

const HELP = "Commands: /join ROOM [KEY], /leave [ROOM], /topic TEXT, /msg NAME TEXT, "
  + "/query NAME, /who. Enter sends, Shift+Enter for a new line, Up recalls, "
  + "Alt+1…9 switch rooms. Start with // to send a line that begins with /.";

const ignore = () => {};

/** The command table, given what the page can do (`page`). A failed command says why in the
 *  timeline (the page's own functions do), so rejections are dropped here. */
function commandTable(page) {
  const { joinRoom, leaveRoom, setTopic, openDm, sendTo, notice, who } = page;
  const join = (args) => joinRoom(args[0] ?? "", args[1]).catch(ignore);
  const leave = (args) => leaveRoom(args[0] ? roomTarget(args[0], false) : activeTarget());
  return {
    join,
    j: join,
    leave,
    part: leave,
    topic: (args, rest) => setTopic(activeTarget(), rest).catch((error) => {
      if (error.code === undefined) notice(error.message); // not a room: nothing was sent
    }),
    msg: (args, rest) => {
      if (!args[0]) return notice("Usage: /msg NAME TEXT");
      const body = rest.slice(args[0].length).trimStart();
      openDm(args[0]);
      if (body) sendTo(activeTarget(), body);
      return undefined;
    },
    query: (args) => (args[0] ? openDm(args[0]) : notice("Usage: /query NAME")),
    who: () => who().then((names) => notice(`Online: ${names.join(", ")}`))
      .catch((error) => notice(error.message)),
    help: () => notice(HELP),
  };
}

/** What to do with the message box's text: returns `submit(text)`, which runs a command or
 *  sends the text to the open room or conversation (false: keep the text in the box). */
export function makeSubmit(page) {
  const commands = commandTable(page);
  return (text) => {
    const target = activeTarget();
    if (!target) return false;
    if (text.startsWith("/") && !text.startsWith("//")) {
      const [head, ...rest] = text.slice(1).split(/\s+/u);
      const command = commands[head.toLowerCase()];
      if (!command) {
        page.notice(`Unknown command /${head}. Try /help.`);
        return false;
      }
      command(rest.filter(Boolean), text.slice(1 + head.length).trim());
      return true;
    }
    return page.sendTo(target, text.startsWith("//") ? text.slice(1) : text);
  };
}
