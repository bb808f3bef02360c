// The message box's commands (/join, /leave, /topic, /msg, /query, /who, /help, and the
// moderation commands: /op, /kick, /mode...): a table of name -> handler, each handler given
// its words and the rest of the line.

import { activeTarget, roomTarget } from "./state.js";

const HELP = "Commands: /join ROOM [KEY], /leave [ROOM [REASON]], /topic TEXT, /msg NAME TEXT, "
  + "/query NAME, /who. Operators of a room: /op /deop /voice /devoice /mute /unmute /ban "
  + "/unban NAME, /kick NAME [REASON], /invite NAME, /mode +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k. "
  + "Enter sends, Shift+Enter for a new line, Up recalls, "
  + "Alt+1…9 switch rooms. Start with // to send a line that begins with /.";

const ignore = () => {};

// The moderation commands of the other doors (the terminal client, the plain door): each
// gives or takes a person's mode in the open room.
const ROLE_CHANGES = {
  op: "+o", deop: "-o", voice: "+v", devoice: "-v", ban: "+b", unban: "-b", mute: "+q", unmute: "-q",
};
const FLAG_CHANGES = ["+m", "-m", "+t", "-t", "+i", "-i", "+s", "-s", "+k", "-k"];
const MODE_USAGE = "Usage: /mode +m|-m|+t|-t|+i|-i|+s|-s|+k KEY|-k";

/** `/op NAME`, `/kick NAME REASON`, `/mode +m`...: one request about the open room, whose
 *  refusal (not an operator, no such member) is said in the timeline. */
function moderationTable(page) {
  const { moderate, notice } = page;
  const send = (message, what) => {
    const target = activeTarget();
    if (!target || target.kind !== "room") return notice(`${what} is for rooms.`);
    return moderate({ ...message, room: target.name })
      .catch((error) => notice(`${what} not done: ${error.message}`));
  };
  const table = {};
  for (const [verb, change] of Object.entries(ROLE_CHANGES)) {
    table[verb] = (args) => (args.length === 1
      ? send({ type: "mode", change, name: args[0] }, `/${verb}`)
      : notice(`Usage: /${verb} NAME`));
  }
  table.kick = (args, rest) => {
    if (!args[0]) return notice("Usage: /kick NAME [REASON]");
    const reason = rest.slice(args[0].length).trim();
    return send({ type: "kick", name: args[0], reason }, "/kick");
  };
  table.invite = (args) => (args.length === 1
    ? send({ type: "invite", name: args[0] }, "/invite") : notice("Usage: /invite NAME"));
  table.mode = (args) => {
    const [change, ...more] = args;
    if (!FLAG_CHANGES.includes(change)) return notice(MODE_USAGE);
    if (change === "+k") {
      return more.length === 1
        ? send({ type: "mode", change, key: more[0] }, "/mode") : notice("Usage: /mode +k KEY");
    }
    return more.length ? notice(`/mode ${change} takes no argument`) : send({ type: "mode", change }, "/mode");
  };
  return table;
}

/** The command table, given what the page can do (`page`). A failed command says why in the
 *  timeline (the page's own functions do), so rejections are dropped here. */
function commandTable(page) {
  const { joinRoom, leaveRoom, setTopic, openDm, sendTo, notice, who } = page;
  const join = (args) => joinRoom(args[0] ?? "", args[1]).catch(ignore);
  const leave = (args, rest) => leaveRoom(
    args[0] ? roomTarget(args[0], false) : activeTarget(),
    args[0] ? rest.slice(args[0].length).trim() : "",
  );
  return {
    ...moderationTable(page),
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
