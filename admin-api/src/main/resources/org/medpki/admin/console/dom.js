// DOM helpers: text goes in as text nodes only, never as markup.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on')) {
      node.addEventListener(name.substring(2), value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) {
      continue;
    }
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) {
    node.removeChild(node.firstChild);
  }
}

export function errorBox(error) {
  return el('p', { class: 'error', role: 'alert' }, 'Error: ' + (error && error.message ? error.message : String(error)));
}

export function certificateLink(issuer, serial, text) {
  return el('a', { href: '#/certificate/' + encodeURIComponent(issuer) + '/' + encodeURIComponent(serial) }, text || serial);
}

export function holds(me, ...roles) {
  return roles.some((r) => me.roles.includes(r));
}
