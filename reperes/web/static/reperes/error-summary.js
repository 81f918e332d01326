/* The error summary of a form sent back with errors (RGAA 11.10 and 11.11), for every form of the
   site without touching its template. When the main content holds invalid fields (django-bootstrap5
   renders `.invalid-feedback` in a `<field id>_error` box) or a form-wide error (`ul.text-danger` or
   `.alert-danger` inside a form), a box is built under the page title: role="alert", a heading
   « Le formulaire contient N erreur(s) », one link per error that focuses its field. The box takes
   the focus. After an htmx swap the box is rebuilt only when the errors changed, and takes the
   focus only when the swapped content brought an error.

   Loaded by base.html; the French texts are data attributes of its <script> tag (translated by the
   template). No inline script: the Content-Security-Policy allows scripts from this host only. */
(function () {
  "use strict";

  var script = document.currentScript;
  var texts = {
    one: script.dataset.one,
    other: script.dataset.other,
    general: script.dataset.general,
  };
  var SUMMARY_ID = "error-summary";
  var FIELD_TAGS = ["INPUT", "SELECT", "TEXTAREA"];
  var generalCount = 0;

  function clean(text) {
    return (text || "").replace(/\s+/g, " ").trim();
  }

  function isField(element) {
    return FIELD_TAGS.indexOf(element.tagName) !== -1;
  }

  /* The field an `.invalid-feedback` is about, what to focus, and its question's text. */
  function describe(feedback) {
    var box = feedback.closest("[id$='_error']");
    var field = box ? document.getElementById(box.id.slice(0, -"_error".length)) : null;
    var wrapper = (box || feedback).parentElement;
    if (!field && wrapper) {
      field = wrapper.querySelector(".is-invalid");
    }
    if (!field) {
      return null;
    }
    // A list of choices (radios, checkboxes) is named by its own label or its fieldset's legend.
    var focusable = isField(field) ? field : field.querySelector("input, select, textarea");
    var label = null;
    if (isField(field) && field.id) {
      label = document.querySelector("label[for='" + field.id + "']");
    }
    if (!label && wrapper) {
      label = wrapper.querySelector(":scope > label, :scope > legend");
    }
    var fieldset = field.closest("fieldset");
    var legend = fieldset ? fieldset.querySelector(":scope > legend") : null;
    if ((!label || label.classList.contains("visually-hidden")) && legend) {
      label = legend;
    }
    return {
      target: focusable || field,
      label: clean(label ? label.textContent : field.getAttribute("aria-label") || field.name),
      message: clean(feedback.textContent),
      scrollTo: label && !label.classList.contains("visually-hidden") ? label : focusable || field,
    };
  }

  function collect(main) {
    var errors = [];
    main.querySelectorAll(".invalid-feedback").forEach(function (feedback) {
      if (feedback.closest("#" + SUMMARY_ID) || !clean(feedback.textContent)) {
        return;
      }
      var error = describe(feedback);
      if (error) {
        errors.push(error);
      }
    });
    main.querySelectorAll("form ul.text-danger, form .alert-danger").forEach(function (block) {
      if (block.closest("#" + SUMMARY_ID) || !clean(block.textContent)) {
        return;
      }
      // Not repeated in the summary: it stays above its form; the summary's link leads there.
      if (!block.id) {
        generalCount += 1;
        block.id = "erreur-formulaire-" + generalCount;
      }
      block.setAttribute("tabindex", "-1");
      errors.push({ target: block, label: "", message: texts.general, scrollTo: block, general: true });
    });
    return errors;
  }

  function signature(errors) {
    return errors
      .map(function (error) {
        return error.target.id + "|" + error.message;
      })
      .join("\n");
  }

  function build(errors) {
    var summary = document.createElement("div");
    summary.id = SUMMARY_ID;
    summary.className = "alert alert-danger error-summary";
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    summary.setAttribute("aria-labelledby", SUMMARY_ID + "-title");
    summary.dataset.signature = signature(errors);

    var heading = document.createElement("h2");
    heading.id = SUMMARY_ID + "-title";
    heading.className = "h5";
    heading.textContent = errors.length === 1 ? texts.one : texts.other.replace("{n}", String(errors.length));
    summary.appendChild(heading);

    var list = document.createElement("ul");
    list.className = "mb-0";
    errors.forEach(function (error) {
      var link = document.createElement("a");
      link.className = "alert-link";
      link.href = "#" + error.target.id;
      link.textContent = error.general || !error.label ? error.message : error.label + " : " + error.message;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        error.scrollTo.scrollIntoView({ block: "center" });
        error.target.focus({ preventScroll: true });
      });
      var item = document.createElement("li");
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.appendChild(list);
    return summary;
  }

  function place(main, summary) {
    var title = main.querySelector("h1");
    if (title) {
      title.insertAdjacentElement("afterend", summary);
    } else {
      main.insertAdjacentElement("afterbegin", summary);
    }
  }

  /* Builds, rebuilds or removes the summary; `swapped` is what htmx has just put in the page
     (null on page load). */
  function refresh(swapped) {
    var main = document.getElementById("contenu");
    if (!main) {
      return;
    }
    var errors = collect(main);
    var previous = document.getElementById(SUMMARY_ID);
    if (previous && previous.dataset.signature === signature(errors)) {
      return;
    }
    if (previous) {
      previous.remove();
    }
    if (!errors.length) {
      return;
    }
    var summary = build(errors);
    place(main, summary);
    var brought =
      !swapped ||
      errors.some(function (error) {
        return swapped.contains(error.target);
      });
    if (brought) {
      summary.focus();
    }
  }

  refresh(null);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail && event.detail.target;
    refresh(swapped && swapped.isConnected ? swapped : document.body);
  });
})();
