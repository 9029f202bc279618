export function CustomerFields(p: { v: { name: string; phone: string; email: string } }) {
  return (
    <>
      <div class="field">
        <label for="c-name">Name</label>
        <input id="c-name" name="name" type="text" required maxlength={200} value={p.v.name} autocomplete="off" />
      </div>
      <div class="form-row">
        <div class="field">
          <label for="c-phone">Phone</label>
          <input id="c-phone" name="phone" type="tel" maxlength={40} value={p.v.phone} autocomplete="off" />
          <div class="hint">Any format; searches match the last digits.</div>
        </div>
        <div class="field">
          <label for="c-email">Email</label>
          <input id="c-email" name="email" type="email" maxlength={200} value={p.v.email} autocomplete="off" />
        </div>
      </div>
    </>
  );
}
