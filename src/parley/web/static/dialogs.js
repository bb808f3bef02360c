// The three small forms: join or create a room, start a direct conversation, set a topic.
// Each shows its error inline and closes only when the server said yes.

import { activeTarget, sameName, state } from "./state.js";

const $ = (id) => document.getElementById(id);

function dialog(id) {
  const node = $(id);
  for (const button of node.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => node.close());
  }
  return node;
}

/** Wire the forms to `join(room, key)`, `openDm(name)` and `setTopic(topic)` (promises that
 *  reject with a message for people); returns the functions that open them. */
export function setupDialogs({ join, openDm, setTopic }) {
  const joinDialog = dialog("join-dialog");
  const dmDialog = dialog("dm-dialog");
  const topicDialog = dialog("topic-dialog");

  $("join-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("join-name").value.trim().replace(/^#/u, "");
    if (!name) {
      $("join-error").textContent = "Enter a room name.";
      return;
    }
    try {
      await join(name, $("join-key").value);
      joinDialog.close();
    } catch (error) {
      $("join-error").textContent = error.message;
    }
  });

  $("dm-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("dm-name").value.trim().replace(/^@/u, "");
    if (!name) {
      $("dm-error").textContent = "Enter a name.";
    } else if (sameName(name, state.me)) {
      $("dm-error").textContent = "That is you.";
    } else {
      dmDialog.close();
      openDm(name);
    }
  });

  $("topic-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await setTopic($("topic-input").value);
      topicDialog.close();
    } catch (error) {
      $("topic-error").textContent = error.message;
    }
  });

  return {
    openJoin() {
      $("join-error").textContent = "";
      $("join-name").value = "";
      $("join-key").value = "";
      joinDialog.showModal();
    },
    openDm() {
      $("dm-error").textContent = "";
      $("dm-name").value = "";
      dmDialog.showModal();
    },
    openTopic() {
      const target = activeTarget();
      if (!target || target.kind !== "room" || target.key === "lobby") return;
      $("topic-error").textContent = "";
      $("topic-room").textContent = `#${target.name}`;
      $("topic-input").value = target.topic;
      topicDialog.showModal();
    },
  };
}
