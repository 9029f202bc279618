// Taskline staff app: the only script. Progressive enhancement — every page works without it.
// Copy buttons: <button data-copy="element-id">; the text of that element goes to the clipboard.
(function () {
  'use strict';
  function textOf(el) {
    return 'value' in el && typeof el.value === 'string' ? el.value : el.textContent || '';
  }
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    if (sel) {
      sel.removeAllRanges();
      sel.addRange(range);
    }
  }
  function announce(button, message) {
    var id = button.getAttribute('data-status');
    var status = id ? document.getElementById(id) : null;
    if (status) status.textContent = message;
    var label = button.getAttribute('data-label') || button.textContent;
    button.setAttribute('data-label', label);
    button.textContent = message === 'Copied' ? 'Copied ✓' : 'Selected';
    window.setTimeout(function () {
      button.textContent = label;
      if (status) status.textContent = '';
    }, 2000);
  }
  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var button = target.closest('button[data-copy]');
    if (!button) return;
    event.preventDefault();
    var source = document.getElementById(button.getAttribute('data-copy') || '');
    if (!source) return;
    var text = textOf(source);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { announce(button, 'Copied'); },
        function () { selectText(source); announce(button, 'Selected — press Ctrl+C'); },
      );
    } else {
      selectText(source);
      announce(button, 'Selected — press Ctrl+C');
    }
  });
  // Copy buttons are hidden until this script runs (they do nothing without it).
  var buttons = document.querySelectorAll('button[data-copy][hidden]');
  for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
})();
