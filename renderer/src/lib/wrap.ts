/**
 * Soft wrap for the payload views: each real line is cut into rows of `cols` characters, and rows are
 * numbered by the real line they belong to. A one-line 5 MB JSON is then line 1 over thousands of rows —
 * not thousands of numbered fake "lines". Only the row index is precomputed (one number a line); a row's
 * text is sliced when it scrolls into view.
 */
export interface WrappedRow {
  /** 0-based index of the real line */
  line: number;
  /** the first row of its line (the one that shows the line number) */
  first: boolean;
  text: string;
}

export class WrappedLines {
  readonly cols: number;
  readonly rows: number;
  /** starts[i]: the first row of line i; starts[lines.length] = rows */
  private readonly starts: Float64Array;

  constructor(
    private readonly lines: readonly string[],
    cols: number,
  ) {
    this.cols = Math.max(1, Math.floor(cols));
    this.starts = new Float64Array(lines.length + 1);
    let row = 0;
    for (let i = 0; i < lines.length; i++) {
      this.starts[i] = row;
      row += Math.max(1, Math.ceil(lines[i]!.length / this.cols));
    }
    this.starts[lines.length] = row;
    this.rows = row;
  }

  /** The real line that row r belongs to (binary search over the line starts). */
  lineOf(r: number): number {
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= r) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  row(r: number): WrappedRow {
    if (r < 0 || r >= this.rows) return { line: -1, first: false, text: '' };
    const line = this.lineOf(r);
    const k = r - this.starts[line]!;
    return { line, first: k === 0, text: this.lines[line]!.slice(k * this.cols, (k + 1) * this.cols) };
  }
}
