/** The topic search over the tree: its text, and a request to focus its box (from the palette or "/"). */
export const treeSearch = $state({ query: '', focusRequest: 0, retainedOnly: false });
