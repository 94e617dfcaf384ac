// Keyboard shortcuts for studying (as in Anki): Space shows the answer, 1–4 rate the card.
// In a quiz, 1–4 or A–D choose an option and answer; Enter goes on after the feedback.
(function () {
  "use strict";
  function typing(event) {
    var tag = event.target.tagName;
    return tag === "INPUT" && event.target.type === "text" || tag === "TEXTAREA" || event.target.isContentEditable;
  }
  document.addEventListener("keydown", function (event) {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    var answer = document.getElementById("answer");
    if (answer) {
      if (event.key === " ") {
        // A focused <summary> would toggle on keyup as well and close the answer again.
        event.preventDefault();
        answer.open = true;
        return;
      }
      var button = answer.open && document.querySelector('form.ratings button[data-rating="' + event.key + '"]');
      if (button) {
        event.preventDefault();
        button.click();
      }
      return;
    }
    var quiz = document.getElementById("quiz-form");
    if (quiz) {
      var key = event.key.toUpperCase();
      var index = "1234".indexOf(key) >= 0 ? "1234".indexOf(key) : "ABCD".indexOf(key);
      var option = index >= 0 && quiz.querySelector('input[data-key="' + (index + 1) + '"]');
      if (option) {
        event.preventDefault();
        option.checked = true;
        quiz.requestSubmit();
      }
      return;
    }
    var next = document.getElementById("next");
    if (next && event.key === "Enter") {
      event.preventDefault();
      next.click();
    }
  });
  document.addEventListener("keyup", function (event) {
    if (event.key === " " && !typing(event) && document.getElementById("answer")) event.preventDefault();
  });
})();
